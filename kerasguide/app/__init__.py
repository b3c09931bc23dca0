"""The talk app: the command, the talk's experiments as data, their runner and report."""
