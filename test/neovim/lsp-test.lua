-- Headless Neovim (0.7.2+) as a second real LSP client for dist/server.js.
-- Run: nvim --headless -u NONE -i NONE -n -c 'luafile test/neovim/lsp-test.lua'
-- Environment: APILENS_SERVER (dist/server.js), APILENS_SPEC, APILENS_ROUTE (files to open),
-- APILENS_OUT (where the JSON result is written). Exits with cquit 0 on success, 1 on failure.
local server = os.getenv('APILENS_SERVER')
local spec = os.getenv('APILENS_SPEC')
local route = os.getenv('APILENS_ROUTE')
local out = os.getenv('APILENS_OUT')
local root = vim.fn.fnamemodify(spec, ':h')

local result = { diagnostics = {}, code_actions = {}, errors = {} }
local function finish(code)
  local file = io.open(out, 'w')
  file:write(vim.fn.json_encode(result))
  file:close()
  vim.cmd('cquit ' .. code)
end

local client_id = vim.lsp.start_client({
  name = 'apilens',
  cmd = { 'node', server, '--stdio' },
  root_dir = root,
  workspace_folders = { { uri = vim.uri_from_fname(root), name = 'ws' } },
  on_error = function(code, err) table.insert(result.errors, tostring(code) .. ' ' .. tostring(err)) end,
})
if not client_id then
  table.insert(result.errors, 'start_client failed')
  finish(1)
end

local function open(path, filetype)
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.api.nvim_buf_set_option(bufnr, 'filetype', filetype)
  vim.lsp.buf_attach_client(bufnr, client_id)
  return bufnr
end

local buffers = { { path = spec, filetype = 'yaml' } }
if route and route ~= '' then table.insert(buffers, { path = route, filetype = 'typescript' }) end
for _, entry in ipairs(buffers) do entry.bufnr = open(entry.path, entry.filetype) end

-- Wait (bounded) until every buffer has diagnostics from apilens.
local ok = vim.wait(20000, function()
  for _, entry in ipairs(buffers) do
    if #vim.diagnostic.get(entry.bufnr) == 0 then return false end
  end
  return true
end, 50)
if not ok then table.insert(result.errors, 'timed out waiting for diagnostics') end

for _, entry in ipairs(buffers) do
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(entry.bufnr)) do
    table.insert(list, { line = d.lnum, col = d.col, code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code), message = d.message, source = d.source })
  end
  result.diagnostics[entry.path] = list
end

-- Ask for code actions at the first diagnostic of the spec.
local spec_diags = vim.diagnostic.get(buffers[1].bufnr)
local client = vim.lsp.get_client_by_id(client_id)
for _, d in ipairs(spec_diags) do
  -- 0.7 keeps only code/data of the LSP diagnostic in user_data: rebuild the rest from the vim one.
  local extra = (d.user_data and d.user_data.lsp) or {}
  local lsp_diag = {
    range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum or d.lnum, character = d.end_col or d.col } },
    message = d.message, code = extra.code or d.code, source = d.source, data = extra.data, severity = d.severity,
  }
  local params = {
    textDocument = { uri = vim.uri_from_fname(spec) },
    range = lsp_diag.range,
    context = { diagnostics = { lsp_diag } },
  }
  local response = client.request_sync('textDocument/codeAction', params, 5000, buffers[1].bufnr)
  if response and response.result then
    for _, action in ipairs(response.result) do
      table.insert(result.code_actions, { title = action.title, kind = action.kind, has_edit = action.edit ~= nil, for_code = lsp_diag.code })
    end
  elseif response and response.err then
    table.insert(result.errors, vim.inspect(response.err))
  end
end

client.stop()
finish(#result.errors == 0 and 0 or 1)
