"""The terminal screen (``caseflow tui``), on Textual: queue, board, details, dialogs."""
