"""The command line: ``parser`` (the grammar), ``options`` (checking option values),
``run_commands`` (the commands that measure), ``answers`` (the commands that read results),
``main`` (dispatch and exit codes)."""
