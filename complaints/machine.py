"""The complaint state machine, declared for the workflow engine (see issue: workflow engine)."""
