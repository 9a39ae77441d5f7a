#!/usr/bin/env python3
"""altgen.py — a second, deliberately different feed generator written from
docs/spec/events.md alone, to check that the engine is not tuned to its own
simulator (fourcuts/sim). Conventions differ on purpose: another home
province, pseudonymous holders for half the people, heavier legitimate code
traffic (logins), carrier NAT shared with black registrations, GoIP channels
with one fixed card each, code-receiving numbers with no voice at all, CSV
with CRLF and gzip mixed, events out of order, malformed lines.

usage: altgen.py OUTDIR TRUTH [--people N] [--days D] [--seed S]
"""
import argparse, csv, gzip, hashlib, io, json, os, random, datetime as dt

ap = argparse.ArgumentParser()
ap.add_argument("out"); ap.add_argument("truth")
ap.add_argument("--people", type=int, default=6000)
ap.add_argument("--days", type=int, default=7)
ap.add_argument("--seed", type=int, default=7)
ap.add_argument("--fp-per-reg", action="store_true", help="residents get a new fingerprint at every registration (a sloppy SDK)")
ap.add_argument("--hard", action="store_true", help="gateways with valid IMEIs, spam calls into pool cards, sales offices on one phone model")
a = ap.parse_args()
R = random.Random(a.seed)
T0 = dt.datetime(2022, 3, 7, tzinfo=dt.timezone(dt.timedelta(hours=8)))
EV = []          # (ts datetime, dict)
TRUTH = {}       # (cat, entity) -> gang
used = set()

def uniq(f):
    while True:
        v = f()
        if v not in used:
            used.add(v); return v

def msisdn(): return uniq(lambda: R.choice(["135","136","139","151","177","186","189","199"]) + "%08d" % R.randrange(10**8))
def imsi(): return uniq(lambda: "46002" + "%010d" % R.randrange(10**10))
def luhn(body):
    s = 0
    for i, ch in enumerate(body):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9: d -= 9
        s += d
    return body + str((10 - s % 10) % 10)
def imei(tac, valid=True):
    def f():
        v = luhn(tac + "%06d" % R.randrange(10**6))
        if not valid: v = v[:-1] + str((int(v[-1]) + 5) % 10)
        return v
    return uniq(f)
W = [7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2]
def rid(region):
    def f():
        body = region + "%04d%02d%02d%03d" % (R.randint(1960, 2003), R.randint(1,12), R.randint(1,28), R.randrange(1000))
        return body + "10X98765432"[sum(int(body[i]) * W[i] for i in range(17)) % 11]
    return uniq(f)
def holder(region):
    if R.random() < 0.5: return "P" + hashlib.sha256(str(R.random()).encode()).hexdigest()[:20]
    return rid(region)
def fp(): return uniq(lambda: "dfp_" + "%012x" % R.randrange(16**12))
def ip(a, b): return uniq(lambda: "%d.%d.%d.%d" % (a, b, R.randrange(256), R.randrange(1, 255)))
def cell(): return "460-02-%d-%d" % (R.randrange(4000, 4100), R.randrange(1, 60000))
def at(day, hour): return T0 + dt.timedelta(days=day, hours=hour)
def emit(ts, **kw):
    EV.append((ts, kw))
def label(cat, ent, gang): TRUTH.setdefault((cat, ent), gang)
def use(cat, ent, gang): TRUTH[(cat, ent)] = gang   # a supplied card belongs to the operation that uses it

PLAT = ["wx", "zfb", "tb", "dy", "ks", "mt", "pdd", "jd", "wb", "xhs", "bz", "dd", "qq", "zh", "xc",
        "elm", "bd", "aqy", "txsp", "yy", "momo", "tantan", "soul", "hupu", "keep", "dewu", "xianyu", "58"]
SENDER = {p: "1069" + "%08d" % R.randrange(10**8) for p in PLAT}
MODELS = [("Mi 10", "Android 10", "86000010"), ("P30", "Android 10", "86792004"), ("Reno5", "Android 11", "86888805"),
          ("iPhone 11", "iOS 14.2", "35688010"), ("iPhone XR", "iOS 13.5", "35739310"), ("V2055A", "Android 11", "86120905")]
HOME = ["110101", "110102", "110105", "110108"]
NAT = [ip(117, 136) for _ in range(12)]
for n in NAT:
    emit(T0, type="ip", ip=n, kind="mobile", shared=R.randint(3000, 9000))

class P: pass
people = []
for i in range(a.people):
    p = P(); p.h = holder(R.choice(HOME)); m = R.choice(MODELS)
    p.model = m; p.imei = imei(m[2]); p.fp = fp(); p.cells = [cell() for _ in range(R.randint(1, 3))]
    p.home = ip(123, R.randrange(112, 128))
    p.cards = [(msisdn(), imsi())]
    if R.random() < 0.15: p.cards.append((msisdn(), imsi()))            # dual SIM
    if R.random() < 0.03:                                                 # legally several, opened over years
        for _ in range(R.randint(2, 4)): p.cards.append((msisdn(), imsi()))
    for k, (m_, s_) in enumerate(p.cards):
        when = T0 - dt.timedelta(days=R.randint(60 + 400 * k, 500 + 400 * k), hours=-R.uniform(9, 19))
        emit(when, type="sim", msisdn=m_, imsi=s_, holder=p.h, outlet="YYT%03d" % R.randrange(40),
             carrier=R.choice(["cmcc", "cucc", "ctcc"]), region=R.choice(HOME), action="activate")
    p.kind = R.choices(["n", "courier", "sales", "gamer"], [0.95, 0.015, 0.015, 0.02])[0]
    people.append(p)
if a.hard:  # sales offices: ten staff on one company model at one cell
    sales = [p for p in people if p.kind == "sales"]
    for k in range(0, len(sales), 10):
        c0 = cell()
        for p in sales[k:k + 10]:
            p.imei = imei("86999901"); p.cells = [c0]
# shared family phones: three people's cards through one old handset
for k in range(0, min(len(people), 600), 3):
    if R.random() < 0.2:
        old = imei(MODELS[0][2])
        for p in people[k:k+3]: p.shared = old
def cdr(ts, m, s, e, c, peer, d, dur):
    emit(ts, type="cdr", msisdn=m, peer=peer, dir=d, dur=dur, imsi=s, imei=e, cell=c)
for day in range(a.days):
    for p in people:
        m, s = p.cards[0]
        hs = getattr(p, "shared", None) if R.random() < 0.2 else None
        for _ in range(R.randint(0, 6)):
            q = R.choice(people); qm, qs = q.cards[0]; ts = at(day, R.uniform(7, 23)); dur = int(R.expovariate(1 / 90))
            if len(p.cards) > 1 and R.random() < 0.3: m, s = R.choice(p.cards[1:])
            cdr(ts, m, s, hs or p.imei, R.choice(p.cells), qm, "mo", dur)
            cdr(ts, qm, qs, q.imei, R.choice(q.cells), m, "mt", dur)
        if R.random() < 0.3:
            emit(at(day, R.uniform(8, 22)), type="sms", msisdn=p.cards[0][0], sender="95555", kind="notice")
        for _ in range(R.choice([0, 0, 0, 1, 1, 2, 3])):   # login codes: people use many apps
            pl = R.choice(PLAT)
            emit(at(day, R.uniform(7, 24)), type="sms", msisdn=p.cards[0][0], sender=SENDER[pl], **({"platform": pl} if R.random() < 0.6 else {}))
        if p.kind in ("courier", "sales"):
            for _ in range(80):
                ts = at(day, R.uniform(9, 18)); peer = msisdn() if R.random() < 0.7 else R.choice(people).cards[0][0]
                cdr(ts, p.cards[0][0], p.cards[0][1], p.imei, R.choice(p.cells) if p.kind == "sales" else cell(), peer, "mo", R.randint(8, 40))
                if R.random() < (0.4 if p.kind == "courier" else 0.1):
                    cdr(ts + dt.timedelta(minutes=R.randint(5, 90)), p.cards[0][0], p.cards[0][1], p.imei, p.cells[0], peer, "mt", R.randint(8, 60))
    # legitimate registrations
    for p in R.sample(people, len(people) // 5):
        pl = R.choice(PLAT); acct = "a%d" % R.randrange(10**9); ts = at(day, R.uniform(8, 23))
        if a.fp_per_reg: p.fp = fp()
        emit(ts - dt.timedelta(seconds=40), type="sms", msisdn=p.cards[0][0], sender=SENDER[pl], platform=pl)
        ev = dict(type="reg", platform=pl, account=acct, msisdn=p.cards[0][0], device=p.fp, ip=R.choice(NAT + [p.home]),
                  model=p.model[0], os=p.model[1])
        if not p.model[1].startswith("iOS"): ev["imei"] = p.imei
        emit(ts, **ev)
    for p in [q for q in people if q.kind == "gamer"]:
        if R.random() < 0.3:
            pl = R.choice(["yys", "ys", "wzry"]); emu = getattr(p, "emu", None) or fp(); p.emu = emu
            emit(at(day, R.uniform(19, 24)), type="reg", platform=pl, account="g%d" % R.randrange(10**9), msisdn=p.cards[0][0],
                 device=emu, ip=p.home, model="SM-G977N", os="Android 7.1.2", imei="354630082143517", flags="emulator|root")
# a company onboarding 60 staff from one address within an hour
office = ip(61, 135)
for p in R.sample(people, 60):
    ts = at(2, 10 + R.random())
    emit(ts, type="reg", platform="feishu", account="e%d" % R.randrange(10**9), msisdn=p.cards[0][0], device=p.fp,
         ip=office, model=p.model[0], os=p.model[1])

# ---- black industry
gang = 0
def newgang():
    global gang; gang += 1; return "B%02d" % gang
# Gangs: a card belongs to the operation that uses it (the pool, the studio,
# the gateway); the cards a supplier opened that no operation used stay in the
# supplier's gang.
# bulk-opened cards at night for far-away holders (most never used in the feed)
g_bulk = newgang(); bulk = []
for night in range(3):
    t = T0 - dt.timedelta(days=30 * night + 20) + dt.timedelta(hours=1)
    for k in range(25):
        m_, s_ = msisdn(), imsi(); bulk.append((m_, s_))
        emit(t + dt.timedelta(minutes=2 * k), type="sim", msisdn=m_, imsi=s_, holder=rid(R.choice(["530102", "532501", "452402"])),
             outlet="YYT999", carrier="cucc", region="110105", action="activate")
        label("black_card", m_, g_bulk)
# holder ring: three holders, ten cards each across carriers in two days
g_ring = newgang(); ring = []
for h in range(3):
    hh = rid("350524"); t = T0 - dt.timedelta(days=40 + h)
    for k in range(10):
        m_, s_ = msisdn(), imsi(); ring.append((m_, s_))
        emit(t + dt.timedelta(hours=R.uniform(0, 48)), type="sim", msisdn=m_, imsi=s_, holder=hh, outlet="YYT%03d" % R.randrange(40),
             carrier=["cmcc", "cucc", "ctcc"][k % 3], region="110101", action="activate")
        label("black_card", m_, g_ring)
# cat pool serving codes: 3 modems × 16 slots, 90 cards rotating
g_pool = newgang(); pool = [(msisdn(), imsi()) for _ in range(90)]
modems = [imei("86543210", a.hard or R.random() < 0.3) for _ in range(3)]; pcell = cell()
for day in range(a.days):
    R.shuffle(pool)
    for j, e in enumerate(modems):
        for m_, s_ in pool[j * 16:(j + 1) * 16]:
            cdr(at(day, R.uniform(0, 24)), m_, s_, e, pcell, "10086", "mo", R.randint(3, 12))
            if a.hard and R.random() < 0.5:   # spam and wrong numbers ring pool cards too
                cdr(at(day, R.uniform(8, 20)), m_, s_, e, pcell, msisdn(), "mt", R.randint(0, 20))
            label("black_card", m_, g_pool); label("black_device", e, g_pool)
# code-receiving numbers with no voice at all, and the studio that uses
# them and the pool: emulators, single-use fingerprints, dial-up and NAT
jm = ring[:20] + [(msisdn(), imsi()) for _ in range(30)]
dial = [ip(180, R.randrange(100, 110)) for _ in range(300)]
for d_ in dial[:90]: emit(T0, type="ip", ip=d_, kind="dialup")
g_st = g_pool
for k in range(700):
    m_, _ = R.choice(jm + pool[:40]); pl = R.choice(PLAT); ts = at(R.randrange(a.days), R.uniform(0, 24))
    f = fp(); acct = "b%d" % R.randrange(10**9); addr = R.choice(dial) if R.random() < 0.85 else R.choice(NAT)
    emit(ts - dt.timedelta(seconds=30), type="sms", msisdn=m_, sender=SENDER[pl], **({"platform": pl} if R.random() < 0.5 else {}))
    ev = dict(type="reg", platform=pl, account=acct, msisdn=m_, device=f, ip=addr, model=R.choice(["Mi 10", "P30"]),
              os="Android 9", flags=R.choice(["emulator", "emulator|hook", "multi_open", ""]))
    if R.random() < 0.5: ev["imei"] = "86000010" + "%07d" % R.randrange(10**7)
    emit(ts, **ev)
    label("black_account", pl + ":" + acct, g_st); label("black_software", f, g_st); use("black_card", m_, g_st)
    if addr not in NAT: label("black_line", addr, g_st)
# GoIP: eight channels, one fixed card each, calling victims one way
g_goip = newgang(); gcell = cell()
for ch in range(8):
    e = imei("86818203", a.hard or R.random() < 0.5); m_, s_ = bulk[ch]
    for day in range(a.days):
        for _ in range(60):
            ts = at(day, R.uniform(9, 21)); peer = msisdn()
            cdr(ts, m_, s_, e, gcell, peer, "mo", R.choice([0, 0, 5, 12, 25, 40]))
            if R.random() < 0.01: cdr(ts + dt.timedelta(minutes=20), m_, s_, e, gcell, peer, "mt", 30)
    label("black_device", e, g_goip); use("black_card", m_, g_goip)

# ---- write: jittered, split by type, formats mixed, a few malformed lines
os.makedirs(a.out, exist_ok=True)
def fmt_ts(t):
    if R.random() < 0.3: return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return t.isoformat()
groups = {}
for t, e in EV:
    groups.setdefault(e["type"], []).append((t + dt.timedelta(seconds=R.uniform(0, 540)), t, e))
cols = ["type", "ts", "msisdn", "imsi", "holder", "outlet", "carrier", "region", "action", "platform", "account", "device",
        "imei", "ip", "model", "os", "flags", "sender", "kind", "peer", "dir", "dur", "cell", "shared"]
nbad = 0
for typ, rows in groups.items():
    rows.sort(key=lambda r: r[0])
    for part in range(2):
        chunk = rows[part::2]
        as_csv = (part == 1)
        name = "%s_%d.%s" % (typ, part, "csv" if as_csv else "jsonl") + (".gz" if typ in ("cdr", "sms") else "")
        buf = io.StringIO(newline="")
        if as_csv:
            w = csv.writer(buf, lineterminator="\r\n"); w.writerow(cols)
        for k, (_, t, e) in enumerate(chunk):
            e = dict(e); e["ts"] = fmt_ts(t)
            if k % 5000 == 4999:
                buf.write(("sms,yesterday,13900000000,1\r\n" if as_csv else '{"type":"sms","ts":"2022-03-07T10:00:00+08:00","msisdn":"x"}\n')); nbad += 1
            if as_csv:
                w.writerow([e.get(c, "") for c in cols])
            else:
                if "msisdn" in e and R.random() < 0.2: e["msisdn"] = int(e["msisdn"])
                buf.write(json.dumps(e, ensure_ascii=False) + "\n")
        data = buf.getvalue().encode()
        path = os.path.join(a.out, name)
        with (gzip.open(path, "wb") if name.endswith(".gz") else open(path, "wb")) as f:
            f.write(data)
with open(a.truth, "w") as f:
    for (cat, ent), g in sorted(TRUTH.items()):
        f.write(json.dumps({"category": cat, "entity_type": {"black_card": "msisdn", "black_account": "account", "black_line": "ip",
                            "black_device": "imei", "black_software": "device"}[cat], "entity": ent, "gang": g}) + "\n")
print("events", len(EV), "malformed", nbad, "truth", len(TRUTH))
