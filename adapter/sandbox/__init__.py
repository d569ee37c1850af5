"""The sandbox: an in-process, stateful stand-in for Jira and Confluence sites (Cloud and Data Center)."""
