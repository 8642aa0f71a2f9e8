// Polls: vote without leaving the page, then read the results. Without this script the form
// posts to the service, which answers with its results page. Texts come from the page
// (data-poll-texts, translated at build time); results use the service page's classes.
// A poll closed (or not yet open) when the page was built has no form, only its state and
// results link: the script still shows the service's state of now.
(function () {
  var lang = document.documentElement.lang || "fr";
  var plural = new Intl.PluralRules(lang);
  var percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 });

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function live(form) {
    var texts = JSON.parse(form.dataset.pollTexts);
    var api = form.dataset.pollApi;
    var url = api + "/api/polls/" + form.dataset.pollId;
    var status = form.querySelector(".poll__status");
    var box = form.querySelector(".poll__results");
    var busy = false;

    // "{n} vote" or "{n} votes", as the page's language counts.
    function counted(n, one, other) {
      return texts[plural.select(n) == "one" ? one : other].replace("{n}", n);
    }

    function say(message) {
      status.textContent = message;
    }

    // Resolve with the JSON body and its HTTP status (as .http: the body has a "status" of
    // its own); reject when nothing usable came back.
    function call(path, body) {
      var headers = { Accept: "application/json" };
      if (body) headers["Content-Type"] = "application/json";
      return fetch(url + path, {
        method: body ? "POST" : "GET",
        body: body && JSON.stringify(body),
        headers: headers,
        // A service on another origin needs its cookie too: one vote per visitor.
        credentials: api ? "include" : "same-origin"
      }).then(function (response) {
        return response.json().then(function (data) {
          data.http = response.status;
          return data;
        });
      });
    }

    // Replace the choices with the results: text first (label, percentage), bars as decoration.
    function show(poll, focus) {
      form.querySelectorAll(".poll__fieldset, .poll__submit").forEach(function (node) {
        node.hidden = true;
      });
      box.textContent = "";
      box.append(make("p", "poll__question", poll.question));
      if (poll.results_visible) {
        var list = make("ul", "results");
        poll.options.forEach(function (option) {
          var item = make("li");
          var bar = make("span", "bar");
          var fill = make("span");
          bar.setAttribute("aria-hidden", "true");
          fill.style.width = option.percent + "%";
          bar.append(fill);
          item.append(make("span", "label", option.label), " : ", make("span", "count",
            percent.format(option.percent / 100) + " (" + counted(option.votes, "vote", "votes") + ")"), bar);
          list.append(item);
        });
        box.append(list);
      } else {
        box.append(make("p", "", texts.hidden));
      }
      var count = poll.total_voters;
      if (count != null) {
        box.append(make("p", "poll__voters", counted(count, "one", "other")));
      }
      box.hidden = false;
      // After a vote, bring keyboard and screen reader users to what changed.
      if (focus) box.focus();
    }

    call("").then(function (poll) {
      if (poll.http != 200) return;
      if (!poll.open) {
        say(poll.status == "not_open" ? texts.early : texts.closed);
      } else if (poll.has_voted) {
        say(texts.already);
      } else return;
      show(poll);
    }, function () {
      // The service is unreachable: leave the plain form, which still posts.
    });

    if (form.tagName != "FORM") return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) return;
      var choices = [].map.call(form.querySelectorAll("[name=choices]:checked"), function (input) {
        return input.value;
      });
      if (!choices.length) return say(texts.choose);
      busy = true;
      say(texts.sending);
      call("/votes", { choices: choices }).then(function (poll) {
        if (poll.http == 201) {
          say(texts.thanks);
          return show(poll, true);
        }
        say(poll.message || texts.network);
        // Already voted (by cookie or address): the refusal carries the results this visitor
        // may now see, which a new request would not (the address is not a cookie).
        if (poll.poll) return show(poll.poll, true);
        // Closed meanwhile: the results are all there is left to see.
        if (poll.http == 409) return call("").then(function (current) {
          if (current.http == 200) show(current, true);
        }, function () {});
      }).catch(function () {
        say(texts.network);
      }).then(function () {
        busy = false;
      });
    });
  }

  document.querySelectorAll(".poll[data-poll-id]").forEach(live);
})();
