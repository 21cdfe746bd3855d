"""The pipeline stages: read and validate a file, plan commands, send, collect."""
