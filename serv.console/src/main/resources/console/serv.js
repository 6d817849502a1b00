/*
 * Serv's pages in the Felix Web Console. Each page is drawn from the admin API (/system/console/serv/api/...), the
 * same JSON the command line reads, and refreshed every two seconds. Text from the server is always set as text,
 * never as HTML.
 */
(function () {
  'use strict';
  var host = document.getElementById('serv-page');
  if (!host) { return; }
  var page = host.getAttribute('data-page');
  var root = host.getAttribute('data-root');
  // Absolute, from the origin: a page opened as http://user:password@host/... would resolve a relative URL with the
  // credentials in it, which fetch() refuses.
  var base = window.location.origin + root + '/serv/api/';
  var timer = null;

  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) { return; }
        if (k === 'text') { e.textContent = String(v); }
        else if (k.indexOf('on') === 0) { e.addEventListener(k.substring(2), v); }
        else { e.setAttribute(k, v === true ? '' : String(v)); }
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) { continue; }
      if (Array.isArray(c)) { c.forEach(function (x) { if (x) { e.appendChild(x); } }); }
      else if (typeof c === 'object') { e.appendChild(c); }
      else { e.appendChild(document.createTextNode(String(c))); }
    }
    return e;
  }

  function api(method, path, body, raw) {
    var init = { method: method, credentials: 'same-origin', headers: {} };
    if (raw) { init.body = raw; init.headers['Content-Type'] = 'application/java-archive'; }
    else if (body !== undefined) { init.body = JSON.stringify(body); init.headers['Content-Type'] = 'application/json'; }
    return fetch(base + path, init).then(function (r) {
      if (r.status === 204) { return { status: 204, body: {} }; }
      return r.json().then(function (j) { return { status: r.status, body: j }; },
        function () { return { status: r.status, body: { error: 'answer not JSON (' + r.status + ')' } }; });
    });
  }

  function message(text, ok) {
    var box = document.getElementById('serv-msg');
    if (!box) { return; }
    box.className = 'serv-msg ' + (ok ? 'serv-ok' : 'serv-error');
    box.textContent = text;
  }

  function result(r, okText) {
    if (r.status >= 400) { message(r.body.error || ('failed: ' + r.status), false); return false; }
    message(okText || r.body.message || 'done', true);
    return true;
  }

  // meant: a state that is no problem although it does not serve (a route overridden by a higher service.ranking)
  function state(s, meant) {
    var cls = s === 'UP' || s === 'SERVING' || s === 'ACTIVE' ? 'serv-good'
      : meant || s === 'ASLEEP' || s === 'STARTING' || s === 'WAITING_FOR_MIGRATIONS' || s === 'RESOLVED' ? 'serv-wait'
      : 'serv-bad';
    return el('span', { 'class': 'serv-state ' + cls, text: s });
  }

  function gauge(pool) {
    if (!pool) { return el('span', { text: '-' }); }
    var max = Math.max(1, pool.max);
    var bar = el('span', { 'class': 'serv-gauge', title: 'active ' + pool.active + ', idle ' + pool.idle
      + ', pending ' + pool.pending + ', max ' + pool.max },
      el('span', { 'class': 'serv-gauge-active', style: 'width:' + (100 * pool.active / max) + '%' }),
      el('span', { 'class': 'serv-gauge-idle', style: 'width:' + (100 * pool.idle / max) + '%' }));
    return el('span', null, bar, el('span', { 'class': 'serv-gauge-text',
      text: pool.active + ' active / ' + pool.idle + ' idle / ' + pool.pending + ' pending / ' + pool.max + ' max' }));
  }

  function table(headers, rows, cls) {
    return el('table', { 'class': 'nicetable serv-table ' + (cls || '') },
      el('thead', null, el('tr', null, headers.map(function (h) { return el('th', { text: h }); }))),
      el('tbody', null, rows.length ? rows : [el('tr', null, el('td', { colspan: headers.length, text: 'none' }))]));
  }

  function td() {
    var cell = el('td');
    for (var i = 0; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) { continue; }
      if (Array.isArray(c)) { c.forEach(function (x) { if (x) { cell.appendChild(x); } }); continue; }
      cell.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    }
    return cell;
  }

  function duration(s) {
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    return (d ? d + ' d ' : '') + (h ? h + ' h ' : '') + m + ' min ' + (s % 60) + ' s';
  }

  function frame(title, intro) {
    host.textContent = '';
    host.appendChild(el('div', { id: 'serv-msg', 'class': 'serv-msg' }));
    host.appendChild(el('p', { 'class': 'serv-intro', text: intro }));
    var body = el('div', { id: 'serv-body' });
    host.appendChild(body);
    return body;
  }

  function refresh(fn, ms) {
    if (timer) { clearInterval(timer); }
    fn();
    timer = setInterval(fn, ms || 2000);
  }

  function link(href, text) { return el('a', { href: window.location.origin + root + '/' + href, text: text }); }

  // ---- overview ---------------------------------------------------------------------------------------------

  function overview() {
    var body = frame('Overview', 'The server, its databases and traffic, and what needs your attention.');
    refresh(function () {
      api('GET', 'overview').then(function (r) {
        if (r.status >= 400) { message(r.body.error, false); return; }
        var o = r.body;
        body.textContent = '';
        var t = o.traffic;
        body.appendChild(el('div', { 'class': 'serv-cards' },
          el('div', { 'class': 'serv-card' }, el('h3', { text: 'Server' }),
            el('p', { text: 'Serv ' + o.server.version + ', up ' + duration(o.server.uptime_seconds) }),
            el('p', { text: 'Java ' + o.server.java + ' - home ' + o.server.home })),
          el('div', { 'class': 'serv-card' }, el('h3', { text: 'Traffic (last 10 s)' }),
            el('p', { id: 'serv-rps', text: t.requests_per_second + ' requests/s' }),
            el('p', { text: t.client_errors_per_second + ' 4xx/s, ' + t.server_errors_per_second + ' 5xx/s'
              + ' (since start: ' + t.requests + ' requests, ' + t.server_errors + ' 5xx)' })),
          el('div', { 'class': 'serv-card' }, el('h3', { text: 'Tenants' }),
            el('p', { id: 'serv-tenant-count', text: o.tenants.count + ' configured, ' + o.tenants.awake + ' awake' }),
            link('serv-tenants', 'manage tenants'))));
        body.appendChild(el('h3', { text: 'Databases' }));
        body.appendChild(table(['database', 'state', 'reason'], o.databases.map(function (d) {
          return el('tr', null, td(link('serv-databases#' + (d.tenant ? d.tenant + '/' : '') + d.name,
            (d.tenant ? d.tenant + '/' : '') + d.name)), td(state(d.state)), td(d.reason || ''));
        })));
        body.appendChild(el('h3', { text: 'Needs attention' }));
        if (!o.attention.length) {
          body.appendChild(el('p', { 'class': 'serv-good', id: 'serv-attention', text: 'Nothing: every database is up, every change applied.' }));
        } else {
          body.appendChild(table(['what', 'subject', 'why', ''], o.attention.map(function (a) {
            return el('tr', null, td(a.kind), td(a.subject), td(a.message), td(link(a.link, 'look')));
          }), 'serv-attention'));
        }
      }, function (e) { message('the server did not answer: ' + e, false); });
    });
  }

  // ---- databases --------------------------------------------------------------------------------------------

  var open = {};

  function databases() {
    var body = frame('Databases', 'Every database, the tenants\' included: state, pool, where its settings come from,'
      + ' pending or refused changes, and its migrations. Passwords never appear.');
    var detail = {};
    refresh(function () {
      api('GET', 'databases').then(function (r) {
        if (r.status >= 400) { message(r.body.error, false); return; }
        var rows = [];
        r.body.databases.forEach(function (d) {
          var q = d.name + (d.tenant ? '?tenant=' + encodeURIComponent(d.tenant) : '');
          var changes = [];
          if (d.pending_change) { changes.push(el('div', { 'class': 'serv-wait', text: 'pending: ' + d.pending_change })); }
          if (d.rejected_change) { changes.push(el('div', { 'class': 'serv-bad', text: 'refused: ' + d.rejected_change })); }
          Object.keys(d.failed_extensions || {}).forEach(function (k) {
            changes.push(el('div', { 'class': 'serv-bad', text: k + ': ' + d.failed_extensions[k] }));
          });
          rows.push(el('tr', { id: 'db-' + d.label },
            td(el('strong', { text: d.label })), td(state(d.state), d.reason ? el('div', { 'class': 'serv-small', text: d.reason }) : null),
            td(d.dialect || ''), td(d.source || '', d.url ? el('div', { 'class': 'serv-small', text: d.url }) : null),
            td(gauge(d.pool)), td(d.acquire_ms_avg + ' ms'), td(String(d.timeouts)), td(changes),
            td(el('button', { 'class': 'ui-state-default ui-corner-all', text: 'Test connection', onclick: function () {
              api('POST', 'databases/' + d.name + '/test' + (d.tenant ? '?tenant=' + encodeURIComponent(d.tenant) : ''))
                .then(function (t) {
                  if (t.status >= 400) { message(t.body.error, false); return; }
                  message(d.label + ': ' + (t.body.ok ? 'answered in ' + t.body.ms + ' ms' : 'no answer: ' + t.body.message), t.body.ok);
                });
            } }), el('button', { 'class': 'ui-state-default ui-corner-all', text: open[d.label] ? 'Hide migrations' : 'Migrations',
              onclick: function () { open[d.label] = !open[d.label]; load(d, q); } }))));
          if (open[d.label]) {
            rows.push(el('tr', { 'class': 'serv-detail' }, el('td', { colspan: 9 }, detail[d.label] || el('em', { text: 'loading…' }))));
            if (!detail[d.label]) { load(d, q); }
          }
        });
        body.textContent = '';
        body.appendChild(table(['database', 'state', 'dialect', 'settings from', 'pool', 'acquire (avg)', 'timeouts', 'changes', ''], rows));
      });
    });

    function load(d, q) {
      api('GET', 'databases/' + q).then(function (r) {
        if (r.status >= 400) { detail[d.label] = el('p', { 'class': 'serv-bad', text: r.body.error }); return; }
        var m = r.body.migrations;
        if (!m) { detail[d.label] = el('p', { 'class': 'serv-bad', text: r.body.migrations_error || 'no history' }); return; }
        var extensions = {};
        m.forEach(function (x) { extensions[x.extension] = true; });
        Object.keys(r.body.failed_extensions || {}).forEach(function (k) { extensions[k] = true; }); // held back too
        var ext = el('select', { name: 'extension' }, Object.keys(extensions).map(function (k) { return el('option', { value: k, text: k }); }));
        var version = el('input', { name: 'version', size: 6, placeholder: 'e.g. 2' });
        detail[d.label] = el('div', null,
          table(['extension', 'version', 'description', 'applied at', 'duration', 'script'], m.map(function (x) {
            return el('tr', null, td(x.extension), td(x.version), td(x.description), td(x.applied_at || ''),
              td(x.duration_ms + ' ms'), td(state(x.script === 'MATCHES' ? 'UP' : x.script)));
          })),
          el('p', null, 'Roll back ', ext, ' to version ', version, ' ',
            el('button', { 'class': 'ui-state-default ui-corner-all', text: 'Roll back', onclick: function () {
              if (!version.value) { message('give the version to go down to (0 removes them all)', false); return; }
              if (!window.confirm('Run the down scripts of ' + ext.value + ' above version ' + version.value + ' on '
                + d.label + '? This may drop data.')) { return; }
              api('POST', 'databases/' + d.name + '/rollback' + (d.tenant ? '?tenant=' + encodeURIComponent(d.tenant) : ''),
                { extension: ext.value, version: version.value, confirm: true }).then(function (x) {
                result(x); detail[d.label] = null;
              });
            } }), ' ',
            el('button', { 'class': 'ui-state-default ui-corner-all', text: 'Apply again',
              title: 'apply again the migrations of this extension that a rollback held back', onclick: function () {
                api('POST', 'databases/' + d.name + '/migrate' + (d.tenant ? '?tenant=' + encodeURIComponent(d.tenant) : ''),
                  { extension: ext.value }).then(function (x) { result(x); detail[d.label] = null; });
              } })));
      });
    }
  }

  // ---- tenants ----------------------------------------------------------------------------------------------

  var FIELDS = [['id', 'id (lower-case letters, digits, -)'], ['name', 'name'], ['hosts', 'hosts (comma-separated)'],
    ['path_prefix', 'path prefix (/t/acme)'], ['database_schema', 'schema in database default'],
    ['database_url', 'or a database of its own: URL'], ['database_user', 'its user'],
    ['database_password', 'its password'], ['pool_size', 'connections kept open'], ['max_size', 'most connections'],
    ['idle_timeout', 'seconds idle before its pool closes'], ['min_connections', 'guaranteed connections'],
    ['max_requests', 'requests served at once'], ['extensions', 'extensions (comma-separated; empty: all)']];

  function tenants() {
    var body = frame('Tenants', 'Each tenant has its own database or schema. Add, edit and remove them here: the same'
      + ' checks as serv.config.yaml and etc/ apply, and a wrong value is refused with the key and the fix.');
    var form = el('form', { id: 'serv-tenant-form', 'class': 'serv-form' });
    var editing = null;
    var inputs = {};
    FIELDS.forEach(function (f) {
      var input = el('input', { name: f[0], id: 'tenant-' + f[0], type: f[0] === 'database_password' ? 'password' : 'text',
        autocomplete: 'off', size: 30 });
      inputs[f[0]] = input;
      form.appendChild(el('label', null, el('span', { text: f[1] }), input));
    });
    var submit = el('button', { type: 'submit', id: 'tenant-save', 'class': 'ui-state-default ui-corner-all', text: 'Add tenant' });
    var cancel = el('button', { type: 'button', 'class': 'ui-state-default ui-corner-all', text: 'Clear', onclick: function () { edit(null); } });
    form.appendChild(el('p', null, submit, ' ', cancel));
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var values = {};
      FIELDS.forEach(function (f) {
        var v = inputs[f[0]].value.trim();
        if (f[0] === 'hosts' || f[0] === 'extensions') { values[f[0]] = v ? v.split(',').map(function (x) { return x.trim(); }).filter(Boolean) : null; }
        else if (f[0] === 'database_password') { if (v) { values[f[0]] = v; } }
        else { values[f[0]] = v || null; }
      });
      var call = editing ? api('PUT', 'tenants/' + encodeURIComponent(editing), values) : api('POST', 'tenants', values);
      call.then(function (r) { if (result(r)) { edit(null); } });
    });
    var list = el('div');
    var offset = 0, pageSize = 50;
    var filter = el('input', { id: 'tenant-filter', placeholder: 'filter by id, name or host', size: 30,
      oninput: function () { offset = 0; } });
    var pager = el('span', { id: 'tenant-pager' });
    var prev = el('button', { 'class': 'ui-state-default ui-corner-all', text: '< Previous', onclick: function () { offset = Math.max(0, offset - pageSize); } });
    var next = el('button', { 'class': 'ui-state-default ui-corner-all', text: 'Next >', onclick: function () { offset += pageSize; } });
    body.appendChild(el('p', null, filter, ' ', prev, ' ', pager, ' ', next));
    body.appendChild(list);
    body.appendChild(el('h3', { id: 'serv-form-title', text: 'Add a tenant' }));
    body.appendChild(form);

    function edit(t) {
      editing = t ? t.id : null;
      FIELDS.forEach(function (f) { inputs[f[0]].value = ''; });
      inputs.id.disabled = !!t;
      document.getElementById('serv-form-title').textContent = t ? 'Edit tenant ' + t.id : 'Add a tenant';
      submit.textContent = t ? 'Save changes' : 'Add tenant';
      if (t) {
        inputs.id.value = t.id; inputs.name.value = t.name; inputs.hosts.value = t.hosts.join(', ');
        inputs.path_prefix.value = t.path_prefix || ''; inputs.extensions.value = t.extensions.join(', ');
        inputs.idle_timeout.value = t.idle_timeout;
        if (t.database.schema) { inputs.database_schema.value = t.database.schema; }
        if (t.database.url) { inputs.database_url.value = t.database.url; }
      }
    }

    function remove(t) {
      var drop = t.database.schema ? window.confirm('Remove tenant ' + t.id + '.\n\nOK: also DROP its schema '
        + t.database.schema + ' and all its data.\nCancel: keep its data.') : false;
      if (!window.confirm('Remove tenant ' + t.id + (drop ? ' and drop schema ' + t.database.schema : ', keeping its data') + '?')) { return; }
      api('DELETE', 'tenants/' + encodeURIComponent(t.id) + '?data=' + (drop ? 'drop' : 'keep')).then(function (r) { result(r); });
    }

    refresh(function () {
      api('GET', 'tenants?offset=' + offset + '&limit=' + pageSize + '&q=' + encodeURIComponent(filter.value)).then(function (r) {
        if (r.status >= 400) { message(r.body.error, false); return; }
        if (offset > 0 && offset >= r.body.total) { offset = Math.max(0, r.body.total - pageSize); }
        pager.textContent = r.body.total ? (r.body.offset + 1) + '-' + (r.body.offset + r.body.tenants.length) + ' of ' + r.body.total : '0 tenants';
        prev.disabled = offset === 0;
        next.disabled = offset + pageSize >= r.body.total;
        list.textContent = '';
        list.appendChild(table(['id', 'name', 'hosts', 'path prefix', 'database', 'idle timeout', 'state', 'pool', 'settings from', ''],
          r.body.tenants.map(function (t) {
            return el('tr', { id: 'tenant-' + t.id + '-row' }, td(el('strong', { text: t.id })), td(t.name), td(t.hosts.join(', ')),
              td(t.path_prefix || ''), td(t.database.schema ? 'schema ' + t.database.schema : t.database.url),
              td(t.idle_timeout + ' s'), td(state(t.state), t.reason ? el('div', { 'class': 'serv-small', text: t.reason }) : null),
              td(gauge(t.pool)), td(t.source || ''),
              td(el('button', { 'class': 'ui-state-default ui-corner-all', text: 'Edit', onclick: function () { edit(t); } }), ' ',
                el('button', { 'class': 'ui-state-default ui-corner-all', text: 'Remove', onclick: function () { remove(t); } })));
          })));
        var refused = Object.keys(r.body.refused || {});
        if (refused.length) {
          list.appendChild(el('h3', { text: 'Refused tenant configurations' }));
          list.appendChild(table(['configuration', 'why'], refused.map(function (k) {
            return el('tr', null, td(k), td(el('span', { 'class': 'serv-bad', text: r.body.refused[k] })));
          })));
        }
      });
    }, 3000);
  }

  // ---- routes -----------------------------------------------------------------------------------------------

  function routes() {
    var body = frame('Routes', 'Every route and whether it serves now. A route whose database is down or whose'
      + ' extension is stopped answers 503 with the reason; a SHADOWED one never answers the methods another route'
      + ' on its path takes: of a higher service.ranking, an override meant by its extension; otherwise the extension'
      + ' installed first keeps them, a clash to fix by giving one of the two another path.');
    refresh(function () {
      api('GET', 'routes').then(function (r) {
        if (r.status >= 400) { message(r.body.error, false); return; }
        body.textContent = '';
        body.appendChild(table(['methods', 'path', 'database', 'extension', 'status', 'why'], r.body.routes.map(function (x) {
          return el('tr', null, td(x.methods.join(', ')), td(el('code', { text: x.path })), td(x.database || '-'),
            td(x.extension + ' ' + x.version), td(state(x.status, x.overridden)), td(x.reason || ''));
        })));
      });
    }, 3000);
  }

  // ---- extensions -------------------------------------------------------------------------------------------

  function extensions() {
    var body = frame('Extensions', 'The bundles that bring routes, middleware or migrations. An upload goes into'
      + ' deploy/ like a dropped jar, so it survives a restart.');
    var file = el('input', { type: 'file', id: 'serv-upload', accept: '.jar' });
    var up = el('form', { 'class': 'serv-form' }, el('span', { text: 'Install or update an extension: ' }), file, ' ',
      el('button', { type: 'submit', 'class': 'ui-state-default ui-corner-all', text: 'Upload' }));
    up.addEventListener('submit', function (ev) {
      ev.preventDefault();
      if (!file.files.length) { message('choose the extension\'s jar first', false); return; }
      message('installing ' + file.files[0].name + '…', true);
      file.files[0].arrayBuffer().then(function (bytes) {
        api('POST', 'extensions', undefined, bytes).then(function (r) {
          result(r, r.status < 400 ? r.body.symbolic_name + ' ' + r.body.version + (r.status === 201 ? ' installed' : ' updated')
            + ': ' + r.body.state + (r.body.problem ? ' - ' + r.body.problem : '') : null);
        });
      });
    });
    var list = el('div');
    body.appendChild(up);
    body.appendChild(list);

    function act(x, what) {
      if (what === 'uninstall' && !window.confirm('Uninstall ' + x.symbolic_name + '? Its jar leaves deploy/.')) { return; }
      var call = what === 'uninstall' ? api('DELETE', 'extensions/' + x.id) : api('POST', 'extensions/' + x.id + '/' + what);
      call.then(function (r) {
        result(r, r.status === 204 ? x.symbolic_name + ' uninstalled' : x.symbolic_name + ': ' + (r.body.state || ''));
      });
    }

    refresh(function () {
      api('GET', 'extensions').then(function (r) {
        if (r.status >= 400) { message(r.body.error, false); return; }
        list.textContent = '';
        list.appendChild(table(['extension', 'version', 'state', 'routes', 'settings', 'tenants', ''], r.body.extensions.map(function (x) {
          var serving = x.routes.filter(function (rt) { return rt.status === 'SERVING'; }).length;
          return el('tr', { id: 'ext-' + x.symbolic_name },
            td(el('strong', { text: x.name }), el('div', { 'class': 'serv-small', text: x.symbolic_name }),
              x.deployed ? el('div', { 'class': 'serv-small', text: 'from ' + x.location }) : null),
            td(x.version), td(state(x.state), x.problem ? el('div', { 'class': 'serv-bad', text: x.problem }) : null),
            td(serving + ' of ' + x.routes.length + ' serving', el('div', { 'class': 'serv-small',
              text: x.routes.map(function (rt) { return rt.methods.join(',') + ' ' + rt.path + (rt.status === 'SERVING' ? '' : ' (' + rt.status + ')'); }).join('; ') })),
            td(x.settings.map(function (s) { return link(s.link, s.pid); })),
            td(x.tenants.length ? x.tenants.join(', ') : '-'),
            td(el('button', { 'class': 'ui-state-default ui-corner-all', text: x.state === 'ACTIVE' ? 'Stop' : 'Start',
              onclick: function () { act(x, x.state === 'ACTIVE' ? 'stop' : 'start'); } }), ' ',
              x.deployed ? el('button', { 'class': 'ui-state-default ui-corner-all', text: 'Uninstall', onclick: function () { act(x, 'uninstall'); } }) : null));
        })));
      });
    }, 3000);
  }

  // ---- cluster ----------------------------------------------------------------------------------------------

  function cluster() {
    var body = frame('Cluster', 'The nodes that share this server\'s configuration, tenants and extensions through'
      + ' the cluster\'s store in PostgreSQL: heartbeat, Serv version, the store version each applied, their databases.');
    refresh(function () {
      api('GET', 'cluster').then(function (r) {
        if (r.status >= 400) { message(r.body.error, false); return; }
        body.textContent = '';
        if (!r.body.clustered) {
          body.appendChild(el('p', { id: 'serv-cluster-state', text: 'This server is on its own: no cluster.url in'
            + ' serv.config.yaml and no SERV_CLUSTER_URL.' }));
          return;
        }
        var st = r.body.status;
        body.appendChild(el('p', { id: 'serv-cluster-state' }, 'Cluster ' + st.name + ', this node ' + st.node
          + ': store ', state(st.store === 'CONNECTED' ? 'UP' : 'DOWN'), ' ' + st.store
          + (st.reason ? ' since ' + st.unreachable_since + ' (' + st.reason + ')' : '')
          + ' - store version ' + st.version + ', applied here ' + st.applied_version));
        body.appendChild(table(['node', 'address', 'Serv', 'heartbeat', 'applied version', 'databases'],
          (r.body.nodes || []).map(function (n) {
            var dbs = Object.keys(n.databases || {}).map(function (k) { return k + ' ' + n.databases[k]; }).join(', ');
            return el('tr', null, td(n.id + (n.id === st.node ? ' (this one)' : '')), td(n.address), td(n.serv_version),
              td(state(n.state === 'GONE' ? 'GONE' : 'UP'), ' ' + n.heartbeat_age_s + ' s ago'),
              td(n.applied_version + (n.state === 'BEHIND' ? ' (behind)' : '')), td(dbs || '-'));
          }), 'serv-nodes'));
      }, function (e) { message('the server did not answer: ' + e, false); });
    });
  }

  ({ overview: overview, databases: databases, tenants: tenants, routes: routes, extensions: extensions,
    cluster: cluster }[page] || overview)();
}());
