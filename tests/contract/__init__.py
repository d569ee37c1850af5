"""Contract tests: every request the shipped tools send, checked by Prism mocks of Atlassian's own specs."""
