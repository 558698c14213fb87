-- luacheck settings: one source for every Lua from 5.1 to 5.4 and LuaJIT.
std = "max"
max_line_length = 120
files["spec"] = { std = "+busted", max_line_length = 150 }
files["lua/huaweicloud/transport/ngx.lua"] = { read_globals = { "ngx" } }
