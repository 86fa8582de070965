#!/usr/bin/python3
"""gen_followers.py - writes a deterministic follower CSV for the import
benchmark: email, name, region, followed_at, with CRLF line ends, a header,
names with commas and quotes (so some fields are quoted), some Cyrillic
names, and domains in mixed case. Every e-mail is unique, in random order,
as in a real export.

usage: gen_followers.py ROWS OUTPUT [--seed N]
"""
import argparse
import random

FIRST = ["Anna", "Ben", "Carla", "Dmitri", "Elif", "Farid", "Greta", "Hugo",
         "Ines", "Jonas", "Kira", "Lars", "Mila", "Noah", "Olga", "Pavel",
         "Quinn", "Rosa", "Sven", "Tara", "Uma", "Viktor", "Wen", "Yusuf", "Zoe"]
LAST = ["Meyer", "Novak", "Rossi", "Dubois", "Kowalski", "Jensen", "Silva",
        "Hansen", "Okafor", "Tanaka", "Schmidt", "Larsen", "Costa", "Berg"]
CYR_FIRST = ["Иван", "Мария", "Алексей", "Ольга", "Сергей", "Наталья", "Дмитрий"]
CYR_LAST = ["Петров", "Смирнова", "Кузнецов", "Попова", "Соколов", "Лебедева"]
DOMAINS = ["example.com", "mail.example.org", "post.example.net", "example.de",
           "inbox.example.ru", "example.co.uk"]
REGIONS = ["Berlin", "Hamburg", "Munich", "Riga", "Tallinn", "Vilnius",
           "Warsaw", "Prague", "Vienna", "Zurich", "Москва", "Санкт-Петербург",
           "Lisbon", "Porto", ""]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rows", type=int)
    ap.add_argument("output")
    ap.add_argument("--seed", type=int, default=20261124)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    ids = list(range(a.rows))
    rnd.shuffle(ids)
    with open(a.output, "w", encoding="utf-8", newline="") as f:
        f.write("email,name,region,followed_at\r\n")
        out = []
        for i in ids:
            r = rnd.random()
            if r < 0.1:
                first, last = rnd.choice(CYR_FIRST), rnd.choice(CYR_LAST)
                local = "user%d" % i
            else:
                first, last = rnd.choice(FIRST), rnd.choice(LAST)
                local = "%s.%s.%d" % (first.lower(), last.lower(), i)
            domain = rnd.choice(DOMAINS)
            if r > 0.95:
                domain = domain.upper()
            if r < 0.04:
                name = '"%s, %s"' % (last, first)               # quoted comma
            elif r > 0.98:
                name = '"%s ""%s"" %s"' % (first, first[:2], last)  # quotes
            else:
                name = "%s %s" % (first, last)
            date = "20%02d-%02d-%02d" % (rnd.randint(15, 26), rnd.randint(1, 12),
                                         rnd.randint(1, 28))
            out.append("%s@%s,%s,%s,%s\r\n" % (local, domain, name,
                                              rnd.choice(REGIONS), date))
            if len(out) >= 10000:
                f.write("".join(out))
                out = []
        f.write("".join(out))


if __name__ == "__main__":
    main()
