"""The REST API framework: error envelopes (``errors``), authentication (``auth``) and keyset
pagination (``pagination``). The API itself is composed in ``khuyencong.api_root``."""
