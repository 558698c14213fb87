-- registry/iam.lua: IAM: what project id discovery needs, and what a pipeline checks before a DIS
-- dump task (its agency). See registry/kafka.lua. Go services/iam/v3/iam_meta.go and model/*.go;
-- identity-access-management api-ref (project_management/, tenant_management/, agency_management/).
return {
  service = "iam",
  doc = "IAM: projects, domains, agencies",
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
    Domains = {
      doc = "An account (domain); its id is what list_agencies takes.",
      fields = { { "id", "string" }, { "name", "string" }, { "enabled", "boolean" }, { "description", "string" } },
    },
    KeystoneListAuthDomainsResponse = {
      doc = "The accounts these credentials may act in.",
      fields = { { "domains", "array", model = "Domains" } },
    },
    AgencyListResult = {
      doc = "An agency (e.g. the dis_admin_agency a DIS dump task names).",
      fields = { { "id", "string" }, { "name", "string" }, { "domain_id", "string" }, { "trust_domain_id", "string" },
        { "trust_domain_name", "string" }, { "duration", "string" }, { "expire_time", "string" },
        { "create_time", "string" }, { "description", "string" } },
    },
    ListAgenciesResponse = {
      doc = "Agencies of an account.",
      fields = { { "agencies", "array", model = "AgencyListResult" } },
    },
  },

  operations = {
    {
      name = "keystone_list_projects", method = "GET", path = "/v3/projects", project = false,
      doc = "Lists the projects named as the region (project id discovery).",
      params = { { "name", "string", query = true, required = false, doc = "Project name: the region." } },
      response = "KeystoneListProjectsResponse", success = 200,
    },
    {
      name = "keystone_list_auth_domains", method = "GET", path = "/v3/auth/domains", project = false,
      doc = "Lists the accounts (domains) these credentials may act in: the domain_id list_agencies takes.",
      response = "KeystoneListAuthDomainsResponse", success = 200,
    },
    {
      name = "list_agencies", method = "GET", path = "/v3.0/OS-AGENCY/agencies", project = false,
      doc = "Lists an account's agencies, by name if given (needs the Security Administrator role).",
      params = { { "domain_id", "string", required = true, doc = "The account's id (keystone_list_auth_domains)." },
        { "trust_domain_id", "string", doc = "The trusted account's id." },
        { "name", "string", doc = "The agency's name." },
        { "page", "integer", min = 1, max = 2147483647, doc = "The page, from 1 (with per_page)." },
        { "per_page", "integer", min = 1, max = 500, doc = "Agencies per page (with page)." } },
      response = "ListAgenciesResponse", success = 200,
    },
  },
}
