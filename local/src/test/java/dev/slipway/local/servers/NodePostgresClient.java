package dev.slipway.local.servers;

/** A test fixture: the Postgres client the fixture app servers embed in their server.js. */
public final class NodePostgresClient {
    private NodePostgresClient() {
    }

    /**
     * {@code query(url, sql)}: a Postgres client in plain Node (no packages in a test bundle): startup, SCRAM-SHA-256 when
     * the server asks for it ("password required" when the URL has none), one simple query, its rows.
     */
    public static final String SOURCE = """
            const http = require('http');
            const net = require('net');
            const crypto = require('crypto');
            const msg = (type, body) => {
              const h = Buffer.alloc(5);
              h.write(type);
              h.writeInt32BE(4 + body.length, 1);
              return Buffer.concat([h, body]);
            };
            const hmac = (k, d) => crypto.createHmac('sha256', k).update(d).digest();
            function query(url, sql) {
              return new Promise((resolve, reject) => {
                const u = new URL(url);
                const password = decodeURIComponent(u.password);
                const sock = net.connect(Number(u.port || 5432), u.hostname);
                const params = Buffer.from('user\\0' + decodeURIComponent(u.username) + '\\0database\\0'
                  + decodeURIComponent(u.pathname.slice(1)) + '\\0\\0');
                const start = Buffer.alloc(8);
                start.writeInt32BE(8 + params.length, 0);
                start.writeInt32BE(196608, 4);
                sock.write(Buffer.concat([start, params]));
                let buf = Buffer.alloc(0);
                let asked = false;
                let first = null;
                const rows = [];
                const fail = (m) => { sock.destroy(); reject(new Error(m)); };
                sock.on('error', (e) => reject(e));
                sock.on('close', () => reject(new Error('closed')));
                sock.on('data', (d) => {
                  buf = Buffer.concat([buf, d]);
                  while (buf.length >= 5 && buf.length >= 1 + buf.readInt32BE(1)) {
                    const type = String.fromCharCode(buf[0]);
                    const body = buf.subarray(5, 1 + buf.readInt32BE(1));
                    buf = buf.subarray(1 + buf.readInt32BE(1));
                    if (type === 'E') {
                      return fail(body.toString('latin1'));
                    }
                    if (type === 'R') {
                      const code = body.readInt32BE(0);
                      if (code === 10) {
                        if (!password) {
                          return fail('password required');
                        }
                        first = 'n=*,r=' + crypto.randomBytes(18).toString('base64');
                        const len = Buffer.alloc(4);
                        len.writeInt32BE(Buffer.byteLength('n,,' + first));
                        sock.write(msg('p', Buffer.concat([Buffer.from('SCRAM-SHA-256\\0'), len, Buffer.from('n,,' + first)])));
                      } else if (code === 11) {
                        const serverFirst = body.subarray(4).toString();
                        const f = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
                        const salted = crypto.pbkdf2Sync(password, Buffer.from(f.s, 'base64'), Number(f.i), 32, 'sha256');
                        const clientKey = hmac(salted, 'Client Key');
                        const stored = crypto.createHash('sha256').update(clientKey).digest();
                        const final = 'c=biws,r=' + f.r;
                        const sig = hmac(stored, first + ',' + serverFirst + ',' + final);
                        const proof = Buffer.from(clientKey.map((b, i) => b ^ sig[i]));
                        sock.write(msg('p', Buffer.from(final + ',p=' + proof.toString('base64'))));
                      } else if (code !== 0 && code !== 12) {
                        return fail('authentication ' + code + ' is not supported here');
                      }
                    }
                    if (type === 'D') {
                      const row = [];
                      let o = 2;
                      for (let i = 0; i < body.readInt16BE(0); i++) {
                        const l = body.readInt32BE(o);
                        o += 4;
                        row.push(l < 0 ? '' : body.subarray(o, o + l).toString('utf8'));
                        o += Math.max(l, 0);
                      }
                      rows.push(row);
                    }
                    if (type === 'Z' && !asked) {
                      asked = true;
                      sock.write(msg('Q', Buffer.from(sql + '\\0')));
                    } else if (type === 'Z') {
                      sock.end(Buffer.from([0x58, 0, 0, 0, 4]));
                      resolve(rows);
                    }
                  }
                });
              });
            }
            """;
}
