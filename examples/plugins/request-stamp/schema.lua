local typedefs = require "kong.db.schema.typedefs"

return {
  name = "request-stamp",
  fields = {
    { protocols = typedefs.protocols_http },
    { config = {
        type = "record",
        fields = {
          { header_name = { type = "string", required = true, default = "X-Request-Stamp" } },
        },
    } },
  },
}
