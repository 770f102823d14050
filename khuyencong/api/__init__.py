"""The REST API framework: error envelopes (``errors``), authentication (``auth``), keyset
pagination (``pagination``) and the documented error responses (``schema``). The API itself is
composed in ``khuyencong.api_root``."""
