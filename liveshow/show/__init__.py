"""The show: cue kinds, the cue engine, show files, editing, pre-flight, the demo show."""
