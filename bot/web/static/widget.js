/*
 * The chat widget of the Ondernemersvraagbaak Drenthe (docs/widget.md).
 *
 * Plain JavaScript, no dependencies and no build step. Embedded with one script tag and a
 * JSON configuration block; it talks to Rasa's REST channel and keeps the conversation in
 * localStorage. Server text is only ever put into the page as text nodes: the small
 * formatter below builds DOM nodes for a whitelist (bold, lists, line breaks, http(s) links).
 */
(function () {
  "use strict";

  var STORAGE_KEY = "vraagbaak-widget";
  var STATE_VERSION = 1;
  var MAX_STORED_MESSAGES = 200;
  var REQUEST_TIMEOUT_MS = 30000;
  var RETRY_FIRST_MS = 2000;
  var RETRY_MAX_MS = 30000;
  var CONNECTION_NOTE_MS = 10000;
  var TEXT_SCALES = [1, 1.2, 1.4, 1.6];
  var KNOWN_SOURCES = ["hotline", "website"];
  var ADVISOR_PAYLOAD = "/request_advisor";
  var SESSION_START = "/session_start";

  var DEFAULT_TEXTS = {
    launcher: "Stel uw vraag in de chat",
    title: "Vraagbaak Drenthe",
    subtitle: "Digitale assistent",
    close: "Sluiten",
    newConversation: "Nieuw gesprek",
    textSize: "Tekstgrootte",
    textSmaller: "Tekst kleiner",
    textLarger: "Tekst groter",
    notice:
      "U praat met een digitale assistent, niet met een mens. Wij bewaren het gesprek om u verder te helpen en om de assistent te verbeteren. Deel geen gegevens die niet nodig zijn.",
    privacyLink: "Lees hoe wij met uw gegevens omgaan",
    advisor: "Praat met een adviseur",
    advisorSent: "Ik wil met een adviseur praten",
    inputLabel: "Uw bericht",
    inputHint: "Typ uw vraag. Druk op Enter om te versturen.",
    send: "Versturen",
    typing: "De assistent schrijft een antwoord…",
    conversation: "Gesprek",
    messages: "Berichten",
    you: "U",
    bot: "Assistent",
    repliesLabel: "Kies een antwoord",
    ratingLabel: "Kies een cijfer van 1 tot 10",
    newWindow: "(opent in een nieuw venster)",
    pending: "Nog niet verstuurd",
    offline:
      "Er is nu geen verbinding met de assistent. Uw bericht blijft bewaard en gaat vanzelf weg zodra de verbinding terug is.",
    offlinePhone: "Liever bellen? Bel de vraagbaak:",
    online: "De verbinding is terug.",
    onlineSent: "De verbinding is terug. Uw bericht is verstuurd.",
    rejected: "Dit bericht kon niet worden verwerkt. Probeer het anders te zeggen.",
  };

  // ---- configuration --------------------------------------------------------------

  var script = document.currentScript;

  function readConfig() {
    var id = (script && script.getAttribute("data-config")) || "vraagbaak-config";
    var element = document.getElementById(id);
    var config = {};
    if (element && element.textContent) {
      try {
        config = JSON.parse(element.textContent) || {};
      } catch (error) {
        console.error("vraagbaak widget: the configuration block is no valid JSON", error);
      }
    }
    var texts = {};
    Object.keys(DEFAULT_TEXTS).forEach(function (key) {
      var value = config.texts && config.texts[key];
      texts[key] = typeof value === "string" && value ? value : DEFAULT_TEXTS[key];
    });
    var server = String(config.serverUrl || "").replace(/\/+$/, "");
    return {
      serverUrl: server,
      webhookUrl: server + "/webhooks/rest/webhook",
      phone: typeof config.phone === "string" ? config.phone : "",
      privacyUrl: safeHref(config.privacyUrl || "") || "",
      source: pickSource(config),
      openOnLoad: Boolean(config.open),
      colors: config.colors || {},
      texts: texts,
      storageKey: typeof config.storageKey === "string" && config.storageKey ? config.storageKey : STORAGE_KEY,
    };
  }

  function pickSource(config) {
    // ?source=hotline in the page address wins (the hotline sends callers there), then the configuration.
    var fromUrl = null;
    try {
      fromUrl = new URLSearchParams(window.location.search).get("source");
    } catch (error) {
      fromUrl = null;
    }
    var candidates = [fromUrl, config.source, "website"];
    for (var i = 0; i < candidates.length; i++) {
      var value = typeof candidates[i] === "string" ? candidates[i].trim().toLowerCase() : "";
      if (KNOWN_SOURCES.indexOf(value) !== -1) return value;
    }
    return "website";
  }

  // ---- colours: a configured pair is used only when it keeps AA contrast -------------

  function parseHex(value) {
    var match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(value || "").trim());
    if (!match) return null;
    var hex = match[1];
    if (hex.length === 3) hex = hex.replace(/(.)/g, "$1$1");
    return [0, 2, 4].map(function (start) {
      return parseInt(hex.substr(start, 2), 16);
    });
  }

  function luminance(rgb) {
    var channels = rgb.map(function (value) {
      var c = value / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  function contrast(a, b) {
    var la = luminance(a);
    var lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  function applyColors(root, colors) {
    var primary = parseHex(colors.primary);
    var onPrimary = parseHex(colors.onPrimary || "#ffffff");
    var white = [255, 255, 255];
    if (!primary) return;
    // The primary colour is text on white (links, user bubbles' border) and a background under onPrimary.
    if (contrast(primary, onPrimary) >= 4.5 && contrast(primary, white) >= 4.5) {
      root.style.setProperty("--vw-primary", colors.primary);
      root.style.setProperty("--vw-on-primary", colors.onPrimary || "#ffffff");
    } else {
      console.warn("vraagbaak widget: colours ignored, their contrast is below WCAG AA (4.5:1)");
    }
  }

  // ---- storage ----------------------------------------------------------------------

  function storageAvailable() {
    try {
      var probe = "__vraagbaak_probe__";
      window.localStorage.setItem(probe, probe);
      window.localStorage.removeItem(probe);
      return true;
    } catch (error) {
      return false;
    }
  }

  function newSenderId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return (
      "web-" +
      Array.prototype.map
        .call(bytes, function (byte) {
          return ("0" + byte.toString(16)).slice(-2);
        })
        .join("")
    );
  }

  function freshState(source, textScale) {
    return {
      version: STATE_VERSION,
      sender: newSenderId(),
      source: source,
      started: false,
      open: false,
      textScale: textScale || 0,
      messages: [],
      queue: [],
      nextId: 1,
    };
  }

  function Store(key) {
    this.key = key;
    this.persistent = storageAvailable();
    this.memory = null;
  }

  Store.prototype.load = function () {
    var raw = null;
    if (this.persistent) {
      try {
        raw = window.localStorage.getItem(this.key);
      } catch (error) {
        raw = null;
      }
    } else {
      raw = this.memory;
    }
    if (!raw) return null;
    try {
      var state = JSON.parse(raw);
      var valid =
        state &&
        state.version === STATE_VERSION &&
        /^web-[0-9a-f]{32}$/.test(state.sender) &&
        Array.isArray(state.messages) &&
        Array.isArray(state.queue);
      return valid ? state : null;
    } catch (error) {
      return null;
    }
  };

  Store.prototype.save = function (state) {
    state.messages = state.messages.slice(-MAX_STORED_MESSAGES);
    var raw = JSON.stringify(state);
    if (this.persistent) {
      try {
        window.localStorage.setItem(this.key, raw);
        return;
      } catch (error) {
        this.persistent = false;
      }
    }
    this.memory = raw;
  };

  // ---- small DOM helpers ------------------------------------------------------------

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function visuallyHidden(text) {
    return el("span", { class: "vw-sr", text: text });
  }

  function safeHref(value) {
    // Only absolute http(s) addresses, or a path on this site (starting with one slash).
    var text = String(value || "").trim();
    if (/^\/(?!\/)/.test(text)) return text;
    try {
      var url = new URL(text);
      if (url.protocol === "http:" || url.protocol === "https:") return url.href;
    } catch (error) {
      return null;
    }
    return null;
  }

  // ---- the whitelist formatter: server text -> DOM nodes, never HTML ----------------

  var INLINE = /(\*\*([^*\n]+)\*\*)|(\[([^\]\n]{1,200})\]\((https?:\/\/[^\s)]+)\))|(https?:\/\/[^\s<>"']+)/g;

  function link(href, label, texts) {
    var safe = safeHref(href);
    if (!safe) return document.createTextNode(label);
    return el("a", { href: safe, target: "_blank", rel: "noopener noreferrer" }, [
      label,
      " ",
      visuallyHidden(texts.newWindow),
    ]);
  }

  function inlineNodes(text, texts) {
    var nodes = [];
    var last = 0;
    var match;
    INLINE.lastIndex = 0;
    while ((match = INLINE.exec(text)) !== null) {
      if (match.index > last) nodes.push(document.createTextNode(text.slice(last, match.index)));
      if (match[1]) {
        nodes.push(el("strong", { text: match[2] }));
      } else if (match[3]) {
        nodes.push(link(match[5], match[4], texts));
      } else {
        // A bare address; a full stop or comma right after it belongs to the sentence.
        var address = match[6].replace(/[.,;:!?]+$/, "");
        nodes.push(link(address, address, texts));
        if (address.length < match[6].length) nodes.push(document.createTextNode(match[6].slice(address.length)));
      }
      last = INLINE.lastIndex;
    }
    if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
    return nodes;
  }

  var BULLET = /^\s*[-*•]\s+(.*)$/;
  var NUMBERED = /^\s*\d{1,2}[.)]\s+(.*)$/;

  function formatText(text, texts) {
    var fragment = document.createDocumentFragment();
    var lines = String(text).replace(/\r\n?/g, "\n").split("\n");
    var paragraph = null;
    var list = null;
    var listKind = null;

    function endParagraph() {
      paragraph = null;
    }
    function endList() {
      list = null;
      listKind = null;
    }

    lines.forEach(function (line) {
      var bullet = BULLET.exec(line);
      var numbered = bullet ? null : NUMBERED.exec(line);
      if (bullet || numbered) {
        var kind = bullet ? "ul" : "ol";
        endParagraph();
        if (!list || listKind !== kind) {
          list = el(kind);
          listKind = kind;
          fragment.appendChild(list);
        }
        var item = el("li");
        inlineNodes((bullet || numbered)[1], texts).forEach(function (node) {
          item.appendChild(node);
        });
        list.appendChild(item);
        return;
      }
      endList();
      if (!line.trim()) {
        endParagraph();
        return;
      }
      if (paragraph) paragraph.appendChild(el("br"));
      else {
        paragraph = el("p");
        fragment.appendChild(paragraph);
      }
      inlineNodes(line, texts).forEach(function (node) {
        paragraph.appendChild(node);
      });
    });
    return fragment;
  }

  // ---- time -------------------------------------------------------------------------

  function timeLabel(iso) {
    var moment = new Date(iso);
    if (isNaN(moment.getTime())) return "";
    var clock = moment.toLocaleTimeString("nl-NL", { hour: "2-digit", minute: "2-digit" });
    var today = new Date();
    if (moment.toDateString() === today.toDateString()) return clock;
    return moment.toLocaleDateString("nl-NL", { day: "numeric", month: "long" }) + " " + clock;
  }

  // ---- the widget -------------------------------------------------------------------

  function Widget(config) {
    this.config = config;
    this.texts = config.texts;
    this.store = new Store(config.storageKey);
    this.state = this.store.load();
    if (!this.state || (config.source === "hotline" && this.state.source !== "hotline")) {
      // Someone sent here by the hotline starts a hotline conversation, not an older website chat.
      this.state = freshState(config.source, this.state ? this.state.textScale : 0);
      this.store.save(this.state);
    }
    this.sending = false;
    this.retryDelay = RETRY_FIRST_MS;
    this.retryTimer = null;
    this.offline = false;
    this.connectionTimer = null;
    this.build();
    this.renderAll();
    this.bindGlobal();
    if (config.openOnLoad || config.source === "hotline") this.open(true);
    else if (this.state.open) this.open(false);
    if (this.state.queue.length) this.flush();
  }

  Widget.prototype.build = function () {
    var t = this.texts;
    var self = this;
    this.root = el("div", { class: "vw-root", lang: "nl" });
    applyColors(this.root, this.config.colors);

    this.launcher = el("button", {
      type: "button",
      class: "vw-launcher",
      "aria-expanded": "false",
      "aria-controls": "vw-panel",
    }, [el("span", { class: "vw-launcher-icon", "aria-hidden": "true" }), el("span", { text: t.launcher })]);
    this.launcher.addEventListener("click", function () {
      if (self.isOpen()) self.close();
      else self.open(true);
    });

    var title = el("h2", { class: "vw-title", id: "vw-title" }, [
      t.title,
      el("span", { class: "vw-subtitle", text: t.subtitle }),
    ]);
    // No "chat" in this name: the launcher is the one button named so (contract §8).
    this.closeButton = el("button", { type: "button", class: "vw-close" }, [
      el("span", { "aria-hidden": "true", class: "vw-close-icon", text: "×" }),
      el("span", { class: "vw-close-text", text: t.close }),
    ]);
    this.closeButton.addEventListener("click", function () {
      self.close();
    });
    this.newButton = el("button", { type: "button", class: "vw-tool", text: t.newConversation });
    this.newButton.addEventListener("click", function () {
      self.newConversation();
    });
    // The visible "A−" starts the accessible name (WCAG 2.5.3), the words follow for screen readers.
    this.smaller = el("button", { type: "button", class: "vw-tool vw-size" }, ["A−", visuallyHidden(" " + t.textSmaller)]);
    this.larger = el("button", { type: "button", class: "vw-tool vw-size" }, ["A+", visuallyHidden(" " + t.textLarger)]);
    this.smaller.addEventListener("click", function () {
      self.setTextScale(self.state.textScale - 1);
    });
    this.larger.addEventListener("click", function () {
      self.setTextScale(self.state.textScale + 1);
    });
    var sizeGroup = el("div", { class: "vw-size-group", role: "group", "aria-label": t.textSize }, [
      this.smaller,
      this.larger,
    ]);
    var header = el("div", { class: "vw-header" }, [
      title,
      el("div", { class: "vw-toolbar" }, [this.newButton, sizeGroup]),
      this.closeButton,
    ]);

    var noticeChildren = [t.notice];
    if (this.config.privacyUrl) {
      noticeChildren.push(" ");
      noticeChildren.push(el("a", { href: this.config.privacyUrl, text: t.privacyLink }));
      noticeChildren.push(".");
    }
    var notice = el("p", { class: "vw-notice" }, noticeChildren);

    // Status regions: typing, and the connection (polite, outside the log so they are not history).
    this.typing = el("div", { class: "vw-typing", role: "status", "aria-live": "polite" });
    this.connection = el("div", { class: "vw-connection", role: "status", "aria-live": "polite" });

    this.log = el("div", {
      class: "vw-log",
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      "aria-label": t.messages,
    });
    // Focusable, so the conversation can be scrolled by keyboard.
    this.scroller = el("div", { class: "vw-scroller", role: "region", tabindex: "0", "aria-label": t.conversation }, [
      notice,
      this.log,
      this.connection,
    ]);


    this.advisorButton = el("button", { type: "button", class: "vw-advisor", text: t.advisor });
    this.advisorButton.addEventListener("click", function () {
      self.send(ADVISOR_PAYLOAD, t.advisorSent);
      self.input.focus();
    });

    this.input = el("textarea", {
      id: "vw-input",
      class: "vw-input",
      rows: "2",
      maxlength: "2000",
      autocomplete: "off",
      "aria-describedby": "vw-input-hint",
    });
    var label = el("label", { for: "vw-input", class: "vw-label", text: t.inputLabel });
    var hint = el("span", { id: "vw-input-hint", class: "vw-sr", text: t.inputHint });
    this.sendButton = el("button", { type: "submit", class: "vw-send", text: t.send });
    this.form = el("form", { class: "vw-form vw-footer", novalidate: true }, [
      this.advisorButton,
      label,
      hint,
      el("div", { class: "vw-form-row" }, [this.input, this.sendButton]),
    ]);
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.submitTyped();
    });
    this.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        self.submitTyped();
      }
    });

    this.panel = el("div", {
      id: "vw-panel",
      class: "vw-panel",
      role: "dialog",
      "aria-modal": "false",
      "aria-labelledby": "vw-title",
      hidden: true,
    }, [header, this.scroller, this.typing, this.form]);
    this.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        self.close();
      }
    });

    this.root.appendChild(this.panel);
    this.root.appendChild(this.launcher);
    document.body.appendChild(this.root);
    this.applyTextScale();
  };

  Widget.prototype.bindGlobal = function () {
    var self = this;
    window.addEventListener("online", function () {
      self.retryDelay = RETRY_FIRST_MS;
      if (self.state.queue.length) self.flush();
      else if (self.offline) self.setOffline(false);
    });
    window.addEventListener("offline", function () {
      self.setOffline(true);
    });
  };

  // ---- open, close, text size ---------------------------------------------------------

  Widget.prototype.isOpen = function () {
    return !this.panel.hidden;
  };

  Widget.prototype.open = function (moveFocus) {
    this.panel.hidden = false;
    this.root.classList.add("vw-is-open");
    this.launcher.setAttribute("aria-expanded", "true");
    this.state.open = true;
    if (!this.state.started) {
      this.state.started = true;
      this.enqueue(SESSION_START, null);
    }
    this.store.save(this.state);
    this.scrollToEnd();
    if (moveFocus) this.input.focus();
  };

  Widget.prototype.close = function () {
    this.panel.hidden = true;
    this.root.classList.remove("vw-is-open");
    this.launcher.setAttribute("aria-expanded", "false");
    this.state.open = false;
    this.store.save(this.state);
    this.launcher.focus();
  };

  Widget.prototype.setTextScale = function (step) {
    this.state.textScale = Math.max(0, Math.min(TEXT_SCALES.length - 1, step));
    this.store.save(this.state);
    this.applyTextScale();
  };

  Widget.prototype.applyTextScale = function () {
    var step = this.state.textScale || 0;
    this.root.style.setProperty("--vw-scale", String(TEXT_SCALES[step] || 1));
    // Disabled buttons would drop out of the tab order; aria-disabled keeps them findable.
    this.smaller.setAttribute("aria-disabled", String(step === 0));
    this.larger.setAttribute("aria-disabled", String(step === TEXT_SCALES.length - 1));
    this.scrollToEnd();
  };

  Widget.prototype.newConversation = function () {
    var scale = this.state.textScale;
    if (this.retryTimer) window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.state = freshState(this.config.source === "hotline" ? "hotline" : "website", scale);
    this.state.open = true;
    this.store.save(this.state);
    this.setOffline(false, true);
    this.renderAll();
    this.state.started = true;
    this.enqueue(SESSION_START, null);
    this.input.value = "";
    this.input.focus();
  };

  // ---- messages -------------------------------------------------------------------------

  Widget.prototype.submitTyped = function () {
    var text = this.input.value.replace(/\s+$/, "");
    if (!text.trim()) {
      this.input.focus();
      return;
    }
    this.input.value = "";
    this.send(text, text);
  };

  Widget.prototype.send = function (message, shownText) {
    this.removeReplies();
    this.enqueue(message, shownText);
  };

  Widget.prototype.enqueue = function (message, shownText) {
    var id = this.state.nextId++;
    if (shownText !== null) {
      var entry = { id: id, who: "user", text: shownText, at: new Date().toISOString(), pending: true };
      this.state.messages.push(entry);
      this.appendMessage(entry);
    }
    this.state.queue.push({ id: id, message: message });
    this.store.save(this.state);
    this.flush();
  };

  Widget.prototype.flush = function () {
    var self = this;
    if (this.sending || !this.state.queue.length) return;
    if (this.retryTimer) {
      window.clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    var item = this.state.queue[0];
    var sender = this.state.sender;
    this.sending = true;
    // While offline, retries go unannounced: only getting through changes what people hear.
    this.showTyping(!this.offline);
    this.post(sender, item.message).then(
      function (replies) {
        self.sending = false;
        if (sender !== self.state.sender) return self.flush(); // "Nieuw gesprek" meanwhile
        self.state.queue.shift();
        self.markSent(item.id);
        var wasOffline = self.offline;
        self.retryDelay = RETRY_FIRST_MS;
        self.addBotReplies(replies);
        self.store.save(self.state);
        if (wasOffline) self.setOffline(false, false, item.message !== SESSION_START);
        if (!self.state.queue.length) self.showTyping(false);
        self.flush();
      },
      function (error) {
        self.sending = false;
        self.showTyping(false);
        if (sender !== self.state.sender) return self.flush();
        if (error && error.rejected) {
          // The server answered but refused this message: retrying would not help.
          self.state.queue.shift();
          self.markSent(item.id);
          self.addNote(self.texts.rejected);
          self.store.save(self.state);
          self.flush();
          return;
        }
        self.setOffline(true);
        self.scheduleRetry();
      }
    );
  };

  Widget.prototype.post = function (sender, message) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller
      ? window.setTimeout(function () {
          controller.abort();
        }, REQUEST_TIMEOUT_MS)
      : null;
    var body = JSON.stringify({ sender: sender, message: message, metadata: { source: this.state.source } });
    return window
      .fetch(this.config.webhookUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: body,
        credentials: "omit",
        signal: controller ? controller.signal : undefined,
      })
      .then(function (response) {
        if (timer) window.clearTimeout(timer);
        if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
          var refused = new Error("refused: " + response.status);
          refused.rejected = true;
          throw refused;
        }
        if (!response.ok) throw new Error("server error: " + response.status);
        return response.json();
      })
      .then(function (replies) {
        return Array.isArray(replies) ? replies : [];
      })
      .catch(function (error) {
        if (timer) window.clearTimeout(timer);
        throw error;
      });
  };

  Widget.prototype.scheduleRetry = function () {
    var self = this;
    if (this.retryTimer) return;
    var delay = this.retryDelay;
    this.retryDelay = Math.min(RETRY_MAX_MS, this.retryDelay * 2);
    this.retryTimer = window.setTimeout(function () {
      self.retryTimer = null;
      self.flush();
    }, delay);
  };

  Widget.prototype.addBotReplies = function (replies) {
    var self = this;
    var at = new Date().toISOString();
    replies.forEach(function (reply) {
      if (!reply || typeof reply !== "object") return;
      var text = typeof reply.text === "string" ? reply.text : "";
      var buttons = Array.isArray(reply.buttons)
        ? reply.buttons
            .filter(function (button) {
              return button && typeof button.title === "string" && button.title.trim();
            })
            .map(function (button) {
              return {
                title: button.title,
                payload: typeof button.payload === "string" && button.payload ? button.payload : button.title,
              };
            })
        : [];
      var image = typeof reply.image === "string" ? safeHref(reply.image) : null;
      if (!text && !buttons.length && image) text = image;
      if (!text && !buttons.length) return;
      var entry = { id: self.state.nextId++, who: "bot", text: text, buttons: buttons, at: at };
      self.state.messages.push(entry);
      self.appendMessage(entry);
    });
  };

  Widget.prototype.markSent = function (id) {
    this.state.messages.forEach(function (message) {
      if (message.id === id) delete message.pending;
    });
    var node = this.log.querySelector('[data-id="' + id + '"]');
    if (node) {
      node.classList.remove("vw-pending");
      var flag = node.querySelector(".vw-pending-flag");
      if (flag) flag.remove();
    }
  };

  // ---- rendering -------------------------------------------------------------------------

  Widget.prototype.renderAll = function () {
    var self = this;
    this.log.textContent = "";
    var messages = this.state.messages;
    messages.forEach(function (message, index) {
      // Answer buttons only under the latest bot messages: older choices are history.
      var later = messages.slice(index + 1);
      var answered = later.some(function (other) {
        return other.who === "user";
      });
      self.appendMessage(message, answered);
    });
  };

  Widget.prototype.appendMessage = function (message, answered) {
    var t = this.texts;
    var isBot = message.who === "bot";
    var item = el("div", {
      class: "vw-message " + (isBot ? "vw-bot" : "vw-user") + (message.pending ? " vw-pending" : ""),
      "data-id": message.id,
    });
    item.appendChild(visuallyHidden((isBot ? t.bot : t.you) + ": "));
    var bubble = el("div", { class: "vw-bubble" });
    if (isBot) bubble.appendChild(formatText(message.text, t));
    else bubble.appendChild(el("p", { text: message.text }));
    item.appendChild(bubble);
    var meta = el("div", { class: "vw-meta" }, [el("time", { datetime: message.at, text: timeLabel(message.at) })]);
    if (message.pending) meta.appendChild(el("span", { class: "vw-pending-flag", text: " · " + t.pending }));
    item.appendChild(meta);
    if (isBot && message.buttons && message.buttons.length && !answered) {
      item.appendChild(this.replyButtons(message.buttons));
    }
    this.log.appendChild(item);
    this.scrollToEnd();
  };

  function isRatingScale(buttons) {
    return (
      buttons.length === 10 &&
      buttons.every(function (button, index) {
        return button.title.trim() === String(index + 1);
      })
    );
  }

  Widget.prototype.replyButtons = function (buttons) {
    var self = this;
    var rating = isRatingScale(buttons);
    var group = el("div", {
      class: "vw-replies" + (rating ? " vw-rating" : ""),
      role: "group",
      "aria-label": rating ? this.texts.ratingLabel : this.texts.repliesLabel,
    });
    buttons.forEach(function (button) {
      var node = el("button", { type: "button", class: "vw-reply", text: button.title });
      node.addEventListener("click", function () {
        self.send(button.payload, button.title);
        self.input.focus();
      });
      group.appendChild(node);
    });
    return group;
  };

  Widget.prototype.removeReplies = function () {
    var groups = this.log.querySelectorAll(".vw-replies");
    Array.prototype.forEach.call(groups, function (group) {
      group.remove();
    });
  };

  Widget.prototype.addNote = function (text) {
    this.log.appendChild(el("p", { class: "vw-note", text: text }));
    this.scrollToEnd();
  };

  Widget.prototype.showTyping = function (on) {
    this.typing.textContent = "";
    this.typing.classList.toggle("vw-typing-on", on);
    if (on) {
      this.typing.appendChild(el("span", { class: "vw-dots", "aria-hidden": "true" }, [el("span"), el("span"), el("span")]));
      this.typing.appendChild(el("span", { text: this.texts.typing }));
    }
  };

  Widget.prototype.setOffline = function (offline, silent, sentQueued) {
    var t = this.texts;
    var connection = this.connection;
    if (offline === this.offline && !silent) return;
    this.offline = offline;
    this.root.classList.toggle("vw-is-offline", offline);
    if (this.connectionTimer) window.clearTimeout(this.connectionTimer);
    this.connectionTimer = null;
    connection.textContent = "";
    if (offline) {
      var box = el("div", { class: "vw-offline" }, [el("p", { text: t.offline })]);
      if (this.config.phone) {
        var digits = this.config.phone.replace(/\(.*?\)/g, "").replace(/[^0-9+]/g, "");
        var phone = digits
          ? el("a", { href: "tel:" + digits, text: this.config.phone })
          : document.createTextNode(this.config.phone);
        box.appendChild(el("p", {}, [t.offlinePhone + " ", phone]));
      }
      this.connection.appendChild(box);
      this.scrollToEnd();
    } else if (!silent) {
      connection.appendChild(el("p", { class: "vw-online", text: sentQueued ? t.onlineSent : t.online }));
      // Emptying a live region is not announced; the note just doesn't linger.
      this.connectionTimer = window.setTimeout(function () {
        connection.textContent = "";
      }, CONNECTION_NOTE_MS);
    }
  };

  Widget.prototype.scrollToEnd = function () {
    var scroller = this.scroller;
    if (!scroller) return;
    window.requestAnimationFrame(function () {
      scroller.scrollTop = scroller.scrollHeight;
    });
  };

  // ---- start ---------------------------------------------------------------------------

  function start() {
    var config = readConfig();
    if (!config.serverUrl) {
      console.error("vraagbaak widget: serverUrl is missing in the configuration");
      return;
    }
    window.vraagbaakWidget = new Widget(config);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
