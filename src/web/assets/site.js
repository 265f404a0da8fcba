// Progressive enhancement only: every page works without this file.
// 1. Chapter and transcript times seek the episode's player instead of
//    opening the audio file.
// 2. The search form updates its results while one types, through
//    /api/search (the same JSON other clients use), and keeps the URL in
//    step so the page can be bookmarked and reloaded.
(function () {
  "use strict";

  var player = document.getElementById("player");
  if (player) {
    document.addEventListener("click", function (ev) {
      var link = ev.target.closest ? ev.target.closest("a[data-start]") : null;
      if (!link) return;
      ev.preventDefault();
      player.currentTime = Number(link.getAttribute("data-start")) || 0;
      var played = player.play();
      if (played && played.catch) played.catch(function () {});
      player.focus();
    });
  }

  var form = document.getElementById("search-form");
  var results = document.getElementById("results");
  var status = document.getElementById("search-status");
  if (!form || !results || !status || !window.fetch) return;
  var submit = form.querySelector("button[type=submit]");
  var timer = null;
  var latest = 0;

  function params() {
    var p = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value !== "") p.set(key, value);
    });
    return p;
  }

  function card(hit) {
    var li = document.createElement("li");
    li.className = "card";
    var h = document.createElement("h3");
    var a = document.createElement("a");
    a.href = hit.path;
    a.textContent = hit.label ? hit.label + ": " + hit.title : hit.title;
    h.appendChild(a);
    li.appendChild(h);
    var meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = hit.date;
    li.appendChild(meta);
    if (hit.snippet_html) {
      var p = document.createElement("p");
      // Escaped by the server; only <mark> elements are markup.
      p.innerHTML = hit.snippet_html;
      li.appendChild(p);
    }
    return li;
  }

  function render(data) {
    results.textContent = "";
    var list = document.createElement("ol");
    list.className = "cards";
    data.hits.forEach(function (hit) { list.appendChild(card(hit)); });
    if (data.hits.length) results.appendChild(list);
    if (data.prev_path || data.next_path) {
      var nav = document.createElement("nav");
      nav.className = "pager";
      nav.setAttribute("aria-label", results.getAttribute("data-pages-label") || "");
      var ul = document.createElement("ul");
      [[data.prev_path, "data-prev-label"], [data.next_path, "data-next-label"]].forEach(function (x) {
        var li = document.createElement("li");
        if (x[0]) {
          var a = document.createElement("a");
          a.href = x[0];
          a.textContent = results.getAttribute(x[1]) || "";
          li.appendChild(a);
        }
        ul.appendChild(li);
      });
      nav.appendChild(ul);
      results.appendChild(nav);
    }
    status.textContent = data.message ? data.message : data.summary;
  }

  function update() {
    var p = params();
    var id = ++latest;
    fetch("/api/search?" + p.toString(), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        if (id !== latest) return;
        render(data);
        history.replaceState(null, "", "?" + p.toString());
      })
      .catch(function () {});
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 200);
  });
  form.addEventListener("change", function () {
    clearTimeout(timer);
    update();
  });
  if (submit) submit.classList.add("secondary");
})();
