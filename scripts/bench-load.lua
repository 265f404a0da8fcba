-- Requests for scripts/bench-load.sh: one kind (KIND=feed|gzip|304|page|
-- search|range) or a weighted mix of them all (KIND=mixed). ETAG is the
-- tag the server gives the gzip feed (for the 304s), EPISODES the size of
-- the synthetic catalogue, MEDIA the path of the ~50 MB file.
local kind = os.getenv("KIND") or "mixed"
local etag = os.getenv("ETAG") or ""
local episodes = tonumber(os.getenv("EPISODES") or "10000")
local media = os.getenv("MEDIA") or "/media/big.mp3"
local mib = 1048576

local kinds = {
    feed = function()
        return wrk.format("GET", "/feed.xml")
    end,
    gzip = function()
        return wrk.format("GET", "/feed.xml", { ["Accept-Encoding"] = "gzip" })
    end,
    ["304"] = function()
        return wrk.format("GET", "/feed.xml",
            { ["Accept-Encoding"] = "gzip", ["If-None-Match"] = etag })
    end,
    page = function()
        return wrk.format("GET", "/avsnitt/samtal-" .. math.random(episodes),
            { ["Accept-Encoding"] = "gzip" })
    end,
    search = function()
        local words = { "samtal", "demokrati", "lokal", "nummer" }
        local q = words[math.random(#words)] .. "+" .. math.random(episodes)
        return wrk.format("GET", "/api/search?q=" .. q, { ["Accept-Encoding"] = "gzip" })
    end,
    range = function()
        local first = math.random(0, 47) * mib
        return wrk.format("GET", media,
            { Range = "bytes=" .. first .. "-" .. (first + mib - 1) })
    end,
}

-- Weights of the mix: podcast apps mostly revalidate the feed.
local mix = {
    { 10, kinds.feed }, { 25, kinds.gzip }, { 30, kinds["304"] },
    { 15, kinds.page }, { 10, kinds.search }, { 10, kinds.range },
}

local function mixed()
    local r = math.random(100)
    for _, w in ipairs(mix) do
        if r <= w[1] then
            return w[2]()
        end
        r = r - w[1]
    end
    return kinds.feed()
end

request = kinds[kind] or mixed
