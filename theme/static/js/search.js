// The "Rechercher" page: asks Pagefind's index (made at build time, on this host) as the
// visitor types. Without JavaScript the form stays hidden and .search__nojs says where to browse.
(function () {
  var form = document.querySelector("form.search");
  if (!form) return;
  var input = form.querySelector("input");
  var status = document.querySelector(".search__status");
  var list = document.querySelector(".search__results");
  var pagefind = null;
  var latest = 0;

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }

  function load() {
    if (!pagefind) {
      pagefind = import(form.dataset.pagefind).then(function (module) {
        return module.options({ excerptLength: 24 }).then(function () { return module; });
      });
    }
    return pagefind;
  }

  function show(results, terms) {
    list.replaceChildren();
    results.forEach(function (result) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = result.url;
      link.textContent = result.meta.title || result.url;
      var heading = document.createElement("h2");
      heading.className = "search__title";
      heading.append(link);
      var excerpt = document.createElement("p");
      // Pagefind's excerpt is the page's own text, escaped by Pagefind, with <mark> around the
      // words found.
      excerpt.innerHTML = result.excerpt;
      item.append(heading, excerpt);
      list.append(item);
    });
    var count = results.length;
    status.textContent = count === 0 ? fill(status.dataset.none, { terms: terms })
      : fill(count === 1 ? status.dataset.one : status.dataset.many, { count: count });
  }

  function search() {
    var terms = input.value.trim();
    var ticket = ++latest;
    if (!terms) { list.replaceChildren(); status.textContent = ""; return; }
    load().then(function (module) { return module.debouncedSearch(terms, {}, 200); })
      .then(function (found) {
        if (!found || ticket !== latest) return null;  // a newer search replaced this one
        return Promise.all(found.results.slice(0, 20).map(function (r) { return r.data(); }));
      })
      .then(function (results) { if (results && ticket === latest) show(results, terms); })
      .catch(function () { status.textContent = status.dataset.fail; });
  }

  form.hidden = false;
  document.querySelector(".search__nojs").hidden = true;
  form.addEventListener("submit", function (event) { event.preventDefault(); search(); });
  input.addEventListener("input", search);
  var asked = new URLSearchParams(location.search).get("q");
  if (asked) { input.value = asked; search(); }
})();
