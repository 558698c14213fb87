-- registry/iam.lua: IAM, only what project id discovery needs. See registry/kafka.lua.
return {
  service = "iam",
  doc = "IAM: project id discovery",
  host = "iam",
  errors = { { 429, "APIG.0308", "not_processed" }, { 429, "APIGW.0308", "not_processed" } },

  models = {
    ProjectResult = {
      doc = "A project.",
      fields = {
        { "id", "string" }, { "name", "string" }, { "domain_id", "string" }, { "parent_id", "string" },
        { "description", "string" }, { "enabled", "boolean" }, { "is_domain", "boolean" },
      },
    },
    KeystoneListProjectsResponse = {
      doc = "The projects of a name (a region).",
      fields = { { "projects", "array", model = "ProjectResult" } },
    },
  },

  operations = {
    {
      name = "keystone_list_projects", method = "GET", path = "/v3/projects", project = false,
      doc = "Lists the projects named as the region (project id discovery).",
      params = { { "name", "string", query = true, required = false, doc = "Project name: the region." } },
      response = "KeystoneListProjectsResponse", success = 200,
    },
  },
}
