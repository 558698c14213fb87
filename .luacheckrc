-- luacheck settings: one source for every Lua from 5.1 to 5.4 and LuaJIT.
std = "max"
max_line_length = 120
files["spec"] = { std = "+busted", max_line_length = 150 }
files["lua/huaweicloud/transport/ngx.lua"] = { read_globals = { "ngx" } }
-- the registry is data: one field per line reads better than wrapped ones
files["registry"] = { max_line_length = 140 }
-- generated for lua-language-server: declarations only, never run
exclude_files = { "lua/huaweicloud/types.lua" }
-- runs inside nginx (make bench)
files["spec/bench/ngx_app.lua"] = { globals = { "ngx" } }
-- runs inside nginx
files["examples/nginx_metrics.lua"] = { globals = { "ngx" } }
