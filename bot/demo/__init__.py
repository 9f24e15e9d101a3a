"""`tallybot demo`: the reference campaign played offline, written to demo-output/."""
