# Tests here that run on real transactions end by flushing every table: reload the reference data.
