// "Copier le lien": without JavaScript the link simply points at the article.
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-copy]");
  if (!link || !navigator.clipboard) return;
  event.preventDefault();
  var status = link.closest(".share").querySelector("[role=status]");
  navigator.clipboard.writeText(new URL(link.dataset.copy, location.href).href).then(
    function () { status.textContent = link.dataset.done; },
    function () { status.textContent = link.dataset.fail; }
  );
});

// "Partager sur Mastodon": the visitor's own instance, remembered in this browser only
// (localStorage). Without JavaScript the form goes through the poll service's redirect.
(function () {
  var KEY = "instance-mastodon";
  var LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
  var HOST = new RegExp("^" + LABEL + "(?:\\." + LABEL + ")+$");

  // An instance as people write it (piaille.fr, @moi@piaille.fr, its web address): its host
  // alone, or null (as poll_service/share.py reads it).
  function host(value) {
    var text = value.trim().toLowerCase().replace(/^[a-z]+:\/\//, "").split("/")[0];
    text = text.slice(text.lastIndexOf("@") + 1).replace(/\.$/, "");
    try {
      text = new URL("https://" + text).hostname;  // an IDN in its ASCII form
    } catch (error) {
      return null;
    }
    return text.length <= 253 && HOST.test(text) ? text : null;
  }

  function remembered() {
    try { return localStorage.getItem(KEY); } catch (error) { return null; }
  }

  document.querySelectorAll("form.share__mastodon").forEach(function (form) {
    var input = form.querySelector("[name=instance]");
    var link = form.querySelector(".share__mastodon-link");
    function target(name) {
      // The address made absolute: a preview build (no SITEURL) writes it from the root.
      var text = form.dataset.shareTitle + " " + new URL(form.dataset.shareUrl, location.href).href;
      return "https://" + name + "/share?text=" + encodeURIComponent(text);
    }
    function offer(name) {
      input.value = name;
      if (!link) return;
      link.href = target(name);
      link.textContent = form.dataset.again.replace("{instance}", name);
      link.hidden = false;
    }
    var known = host(remembered() || "");
    if (known) offer(known);
    input.addEventListener("input", function () { input.setCustomValidity(""); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var name = host(input.value);
      if (!name) {
        input.setCustomValidity(form.dataset.invalid);
        input.reportValidity();
        return;
      }
      try { localStorage.setItem(KEY, name); } catch (error) { /* private mode: not remembered */ }
      offer(name);
      location.href = target(name);
    });
  });
})();
