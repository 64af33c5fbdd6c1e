import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeploymentAddresses, resolveHosts } from './deployment-addresses.js';
import { addressKey, parseAddressRule, WebhookTargetPolicy } from './target-policy.js';

describe('webhook target policy', () => {
  const policy = new WebhookTargetPolicy({
    deploymentAddresses: () => new Set(['10.0.0.5', 'fd00::5']),
  });

  it('refuses loopback, link-local, unspecified, multicast, broadcast and reserved addresses in every form', async () => {
    const refused: [string, RegExp][] = [
      ['127.0.0.1', /loopback/],
      ['127.0.20.9', /loopback/],
      ['::1', /loopback/],
      ['[::1]', /loopback/],
      ['::ffff:127.0.0.1', /loopback/],
      ['::ffff:7f00:1', /loopback/],
      ['::127.0.0.1', /loopback/],
      ['64:ff9b::7f00:1', /loopback.*embedded in 64:ff9b::7f00:1/],
      ['2002:7f00:1::1', /loopback.*embedded/],
      ['169.254.169.254', /link-local/],
      ['fe80::1', /link-local/],
      ['0.0.0.0', /unspecified/],
      ['0.1.2.3', /unspecified/],
      ['::', /unspecified/],
      ['224.0.0.1', /multicast/],
      ['ff02::1', /multicast/],
      ['255.255.255.255', /broadcast/],
      ['240.0.0.1', /reserved/],
      ['2001:db8::1', /reserved/],
    ];
    for (const [a, why] of refused) assert.match((await policy.refusal(a, 443)) ?? 'allowed', why, a);
  });

  it("refuses the deployment's own addresses at any port, however written", async () => {
    for (const [a, port] of [
      ['10.0.0.5', 443],
      ['10.0.0.5', 8443],
      ['::ffff:10.0.0.5', 80],
      ['fd00:0:0:0:0:0:0:5', 80],
      ['64:ff9b::a00:5', 80],
    ] as const)
      assert.match(
        (await policy.refusal(a, port)) ?? 'allowed',
        /address of this deployment/,
        `${a}:${port}`,
      );
  });

  it("refuses PostgreSQL's, Patroni's and etcd's ports at any address", async () => {
    for (const [port, what] of [
      [5432, /PostgreSQL/],
      [8008, /Patroni/],
      [2379, /etcd/],
      [2380, /etcd/],
    ] as const)
      assert.match((await policy.refusal('10.9.9.9', port)) ?? 'allowed', what, String(port));
  });

  it('allows public and private addresses on other ports (internal receivers live on private ranges)', async () => {
    for (const a of [
      '10.9.9.9',
      '192.168.1.10',
      '172.16.0.1',
      '100.64.0.1',
      'fd12::1',
      '93.184.216.34',
      '2606:4700::1',
    ])
      assert.equal(await policy.refusal(a, 443), undefined, a);
  });

  it('refuses what is not an address (a name must be resolved first; lax IPv4 forms are not addresses here)', async () => {
    for (const a of ['localhost', 'hooks.example.com', '2130706433', '0x7f.0.0.1', '0177.0.0.1', ''])
      assert.equal(await policy.refusal(a, 443), 'not an IP address', a);
  });

  it('webhook_allow exempts an address or range (with an optional port) from every refusal', async () => {
    const p = new WebhookTargetPolicy({
      allow: ['127.0.20.0/24:18080', '[::1]:9000', '10.0.0.5', '[fd00::/8]:8008'],
      deploymentAddresses: () => new Set(['10.0.0.5']),
    });
    assert.equal(await p.refusal('127.0.20.7', 18080), undefined);
    assert.match((await p.refusal('127.0.20.7', 18081)) ?? '', /loopback/);
    assert.equal(await p.refusal('::1', 9000), undefined);
    assert.equal(await p.refusal('10.0.0.5', 5432), undefined);
    assert.equal(await p.refusal('fd00::9', 8008), undefined);
    assert.match((await p.refusal('fd00::9', 5432)) ?? '', /PostgreSQL/);
  });

  it('webhook_refuse adds addresses, ranges and ports', async () => {
    const p = new WebhookTargetPolicy({ refuse: ['10.1.0.0/16', '10.2.0.1:12379'] });
    assert.match((await p.refusal('10.1.2.3', 443)) ?? '', /webhook_refuse 10\.1\.0\.0\/16/);
    assert.match((await p.refusal('10.2.0.1', 12379)) ?? '', /webhook_refuse/);
    assert.equal(await p.refusal('10.2.0.1', 443), undefined);
  });

  it('parses rules strictly, naming the entry', () => {
    assert.deepEqual(parseAddressRule('10.1.2.3:8080').port, 8080);
    assert.deepEqual(parseAddressRule('[fd00::/8]:443').range[1], 8);
    assert.equal(parseAddressRule('fd00::1').range[1], 128);
    for (const bad of [
      'hooks.example.com',
      '10.1.2.3:0',
      '10.1.2.3:70000',
      '0x7f.0.0.1',
      '10.0.0.0/33',
      '2130706433',
      '',
    ])
      assert.throws(
        () => parseAddressRule(bad),
        new RegExp(`'${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}'`),
      );
    assert.throws(() => new WebhookTargetPolicy({ allow: ['nope'] }), /'nope' is not an address/);
  });

  it('compares addresses written differently', () => {
    assert.equal(addressKey('::ffff:10.0.0.1'), addressKey('10.0.0.1'));
    assert.equal(addressKey('fd00::1'), addressKey('fd00:0:0::0:1'));
    assert.equal(addressKey('[::1]'), addressKey('0:0:0:0:0:0:0:1'));
    assert.equal(addressKey('example.com'), undefined);
  });
});

describe('deployment addresses', () => {
  it('resolves names, keeps addresses, ignores socket directories', async () => {
    const s = await resolveHosts(['10.0.0.1', '[fd00::1]', 'localhost', '/var/run/postgresql', '']);
    assert.ok(s.has('10.0.0.1') && s.has('fd00::1') && s.has('127.0.0.1'), [...s].join());
    assert.ok(![...s].some((a) => a.startsWith('/')));
  });

  it('caches for the ttl, keeps a failing source its last answer, and fails while a source never answered', async () => {
    let calls = 0;
    let fail = true;
    const d = new DeploymentAddresses(
      [
        () => ['10.0.0.1'],
        () => {
          calls++;
          if (fail) throw new Error('backend away');
          return ['10.0.0.2'];
        },
      ],
      0,
    );
    await assert.rejects(d.get(), /cannot read the deployment's addresses: backend away/);
    fail = false;
    assert.deepEqual([...(await d.get())].sort(), ['10.0.0.1', '10.0.0.2']);
    fail = true;
    assert.deepEqual([...(await d.get())].sort(), ['10.0.0.1', '10.0.0.2']);
    const cached = new DeploymentAddresses([() => ['10.0.0.3']], 60_000);
    await cached.get();
    const before = calls;
    await cached.get();
    assert.equal(calls, before);
  });
});
