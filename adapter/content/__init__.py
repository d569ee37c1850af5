"""Rich text: Atlassian Document Format, Confluence storage XHTML and Jira wiki markup <-> Markdown."""
