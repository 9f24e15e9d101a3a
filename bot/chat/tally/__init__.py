"""The daily tally, two ways: guided, one question at a time, or typed on one line."""
