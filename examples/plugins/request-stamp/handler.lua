-- request-stamp: adds a response header with the time Kong answered. The smallest useful custom
-- plugin, to show the path from a folder to every CP and DP (README, "Add a Kong plugin").
local RequestStamp = {
  PRIORITY = 800,
  VERSION = "1.0.0",
}

function RequestStamp:header_filter(conf)
  kong.response.set_header(conf.header_name, string.format("%.3f", ngx.now()))
end

return RequestStamp
