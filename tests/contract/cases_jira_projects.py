"""Contract cases of the jira_projects tools: every tool on both deployments, every operation they use."""

from __future__ import annotations

from .cases import Case, Direct

VERSION = {"project_key": "PROJ", "name": "2.0", "start_date": "2026-12-01", "release_date": "2027-01-31",
           "description": "Next"}  # fmt: skip
BATCH = {"project_key": "PROJ", "versions": [{"name": "2.1", "release_date": "2027-02-28"}, {"name": "2.2"}]}
UPDATE = {"version_id": "10001", "name": "1.1.0", "released": True, "release_date": "2026-11-30"}
DC_DATES = (
    "jira-dc spec: VersionBean.releaseDate/startDate are `format: date-time`, but Jira DC takes dates ('2027-01-31'), "
    "as specs/overrides/jira-dc.yaml records"
)
DC_DATES_KNOWN = (r".*(releaseDate|startDate).*date-time.*",)

CASES = [
    # Prism's example page says isLast false, total 7, two projects a page: the handler pages until it has them all
    Case("jira_get_all_projects", "cloud", {"include_archived": True}, ("jira-platform/searchProjects",) * 4),
    Case("jira_search_projects", "cloud", {"query": "sup", "max_results": 5, "current_project_ids": "1"},
         ("jira-platform/searchProjects",)),
    Case("jira_get_project_issue_types", "cloud", {"project_key": "PROJ"},
         ("jira-platform/getCreateIssueMetaIssueTypes",)),
    Case("jira_get_create_fields", "cloud", {"project_key": "PROJ", "issue_type_id": "10001"},
         ("jira-platform/getCreateIssueMetaIssueTypeId",)),
    Case("jira_get_create_fields", "cloud", {"project_key": "PROJ", "issue_type_id": "Bug"},
         ("jira-platform/getCreateIssueMetaIssueTypes", "jira-platform/getCreateIssueMetaIssueTypeId"), "by-name"),
    Case("jira_get_project_versions", "cloud", {"project_key": "PROJ"}, ("jira-platform/getProjectVersions",)),
    Case("jira_get_project_components", "cloud", {"project_key": "PROJ"}, ("jira-platform/getProjectComponents",)),
    Case("jira_get_project_fields", "cloud", {"project_key": "PROJ"},
         ("jira-platform/getCreateIssueMetaIssueTypes", "jira-platform/getCreateIssueMetaIssueTypeId")),
    Case("jira_create_version", "cloud", VERSION, ("jira-platform/createVersion",)),
    Case("jira_batch_create_versions", "cloud", BATCH, ("jira-platform/createVersion", "jira-platform/createVersion")),
    Case("jira_update_version", "cloud", UPDATE, ("jira-platform/updateVersion",)),
    Case("jira_get_all_projects", "datacenter", {"include_archived": True}, ("jira-dc/getAllProjects",)),
    Case("jira_search_projects", "datacenter", {"query": "sup", "max_results": 5}, ("jira-dc/searchForProjects",)),
    Case("jira_get_project_issue_types", "datacenter", {"project_key": "PROJ"},
         ("jira-dc/getCreateIssueMetaProjectIssueTypes",)),
    Case("jira_get_create_fields", "datacenter", {"project_key": "PROJ", "issue_type_id": "10001"},
         ("jira-dc/getCreateIssueMetaFields",)),
    Case("jira_get_project_versions", "datacenter", {"project_key": "PROJ"}, ("jira-dc/getProjectVersions",)),
    Case("jira_get_project_components", "datacenter", {"project_key": "PROJ"}, ("jira-dc/getProjectComponents",)),
    # the jira-dc spec gives createmeta's issue types as one CreateMetaIssueTypeBean: Prism's answer lists no type,
    # so no fields are asked for (getCreateIssueMetaFields is reached by jira_get_create_fields)
    Case("jira_get_project_fields", "datacenter", {"project_key": "PROJ"},
         ("jira-dc/getCreateIssueMetaProjectIssueTypes",)),
    Case("jira_create_version", "datacenter", VERSION, ("jira-dc/createVersion",), defect=DC_DATES,
         known=DC_DATES_KNOWN),
    Case("jira_batch_create_versions", "datacenter", BATCH, ("jira-dc/createVersion", "jira-dc/createVersion"),
         defect=DC_DATES, known=DC_DATES_KNOWN),
    Case("jira_update_version", "datacenter", UPDATE, ("jira-dc/updateVersion",), defect=DC_DATES,
         known=DC_DATES_KNOWN),
]  # fmt: skip

DIRECT = [
    Direct("jira-platform/getVersion", "cloud", {"id": "10001"},
           "jira_update_version reads the version only when JIRA_PROJECTS_FILTER is set; the cases run without one"),
    Direct("jira-platform/getProject", "cloud", {"project_id_or_key": "10000"},
           "jira_update_version reads the version's project only when JIRA_PROJECTS_FILTER is set"),
    Direct("jira-dc/getVersion", "datacenter", {"id": "10001"},
           "jira_update_version reads the version only when JIRA_PROJECTS_FILTER is set; the cases run without one"),
    Direct("jira-dc/getProject", "datacenter", {"project_id_or_key": "10000"},
           "jira_update_version reads the version's project only when JIRA_PROJECTS_FILTER is set"),
]  # fmt: skip
