"""Seeded generator of corpora with planted coordinated campaigns and narratives.

Organic accounts post chatter in Arabic, Turkish, Hebrew and English, share links from a
large Zipf-distributed pool at random times, repost each other hours later and take part in
*organic bursts* (a viral link shared by a random crowd within minutes, a hard negative).
Some organic posts also discuss the narratives. Campaigns are sets of accounts hidden among
the organic ones: they post ordinary chatter too, and in bursts a random majority of members
share the same campaign link, the same message with small edits, or repost the same item
within a short lag. Each narrative has its own language and phrase bank; a narrative post
combines a few of its phrases with filler words, a hashtag and an emoji.

Ground truth: ``coordinated`` (set of account names) and ``narrative`` per post (``-1`` for
chatter).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

FILLER = {
    "en": [
        "today",
        "really",
        "think",
        "people",
        "news",
        "again",
        "now",
        "look",
        "just",
        "more",
        "about",
        "this",
        "that",
        "here",
        "very",
        "still",
        "they",
        "said",
        "going",
        "know",
        "time",
        "week",
        "official",
        "report",
    ],
    "tr": [
        "bugün",
        "gerçekten",
        "bence",
        "insanlar",
        "haber",
        "yine",
        "şimdi",
        "bakın",
        "sadece",
        "daha",
        "hakkında",
        "bu",
        "şu",
        "burada",
        "çok",
        "hala",
        "onlar",
        "dedi",
        "gidiyor",
        "biliyor",
        "zaman",
        "hafta",
        "resmi",
        "rapor",
    ],
    "ar": [
        "اليوم",
        "حقا",
        "أعتقد",
        "الناس",
        "أخبار",
        "مرة",
        "الآن",
        "انظروا",
        "فقط",
        "أكثر",
        "حول",
        "هذا",
        "ذلك",
        "هنا",
        "جدا",
        "ما",
        "زال",
        "هم",
        "قال",
        "يذهب",
        "يعرف",
        "وقت",
        "أسبوع",
        "رسمي",
        "تقرير",
    ],
    "he": [
        "היום",
        "באמת",
        "חושב",
        "אנשים",
        "חדשות",
        "שוב",
        "עכשיו",
        "תראו",
        "רק",
        "יותר",
        "על",
        "זה",
        "ההוא",
        "כאן",
        "מאוד",
        "עדיין",
        "הם",
        "אמר",
        "הולך",
        "יודע",
        "זמן",
        "שבוע",
        "רשמי",
        "דוח",
    ],
}

CHATTER = {
    "en": [
        "the match last night was amazing what a goal",
        "traffic on the bridge is terrible this morning",
        "trying a new recipe for lentil soup tonight",
        "the weather is finally getting cooler",
        "my phone battery dies so fast lately",
        "reading a great novel about the sea",
        "coffee prices went up again at my place",
        "the concert tickets sold out in minutes",
    ],
    "tr": [
        "dün akşamki maç harikaydı ne gol ama",
        "köprüde trafik bu sabah berbat",
        "bu akşam yeni bir mercimek çorbası tarifi deniyorum",
        "hava nihayet serinlemeye başladı",
        "telefonumun şarjı son zamanlarda çok çabuk bitiyor",
        "deniz hakkında harika bir roman okuyorum",
        "kahve fiyatları yine arttı",
        "konser biletleri dakikalar içinde tükendi",
    ],
    "ar": [
        "المباراة أمس كانت رائعة يا له من هدف",
        "الزحام على الجسر سيئ جدا هذا الصباح",
        "أجرب وصفة جديدة لشوربة العدس الليلة",
        "الطقس بدأ يبرد أخيرا",
        "بطارية هاتفي تنفد بسرعة هذه الأيام",
        "أقرأ رواية جميلة عن البحر",
        "أسعار القهوة ارتفعت مرة أخرى",
        "تذاكر الحفل نفدت في دقائق",
    ],
    "he": [
        "המשחק אתמול היה מדהים איזה גול",
        "הפקקים על הגשר נוראיים הבוקר",
        "מנסה מתכון חדש למרק עדשים הערב",
        "מזג האוויר סוף סוף מתקרר",
        "הסוללה של הטלפון שלי נגמרת מהר לאחרונה",
        "קורא רומן נהדר על הים",
        "מחירי הקפה עלו שוב",
        "הכרטיסים להופעה אזלו תוך דקות",
    ],
}

NARRATIVES = [
    (
        "en",
        "#QatarMoney",
        [
            "qatar is buying influence in western capitals",
            "doha money flows to lobbyists and think tanks",
            "follow the qatari cash behind the headlines",
            "qatar funds campaigns to shape policy",
            "the gulf emirate pays for favourable coverage",
            "qatari investment is a tool of political pressure",
        ],
    ),
    (
        "en",
        "#TurkeyGaza",
        [
            "turkey wants troops inside gaza after the ceasefire",
            "ankara plans a military role in the stabilisation force",
            "erdogan uses gaza to expand turkish power",
            "turkish soldiers must never enter gaza",
            "the ceasefire gives turkey a foothold in gaza",
            "ankara hides its ambitions behind aid convoys",
        ],
    ),
    (
        "ar",
        "#قطر_تركيا",
        [
            "تحالف قطر وتركيا يهدد أمن الخليج",
            "الدوحة وأنقرة تدعمان الجماعات المتطرفة",
            "القاعدة التركية في قطر خطر على المنطقة",
            "أموال قطر تمول مشاريع أردوغان",
            "المحور القطري التركي يتآمر على مصر",
            "الإعلام القطري ينشر دعاية تركية",
        ],
    ),
    (
        "ar",
        "#غزة_الإعمار",
        [
            "أموال إعمار غزة تذهب إلى حماس",
            "مصر تقود خطة إعادة الإعمار بنجاح",
            "مؤتمر القاهرة لإعمار غزة يتأخر مرة أخرى",
            "المانحون لا يثقون في إدارة الأموال",
            "خطة الإعمار العربية بحاجة إلى ضمانات",
            "الوسطاء يختلفون على إدارة القطاع",
        ],
    ),
    (
        "tr",
        "#KatarTürkiye",
        [
            "katar ile türkiye arasındaki ittifak bölgeye güven veriyor",
            "doha üssü türk askerinin gururudur",
            "katar yatırımları ekonomimizi güçlendiriyor",
            "iki kardeş ülke birlikte daha güçlü",
            "yüksek stratejik komite yeni anlaşmalar imzaladı",
            "türk savunma sanayii katarda büyüyor",
        ],
    ),
    (
        "he",
        "#קטארגייט",
        [
            "קטאר משלמת ליועצים בלשכת ראש הממשלה",
            "כסף קטארי חדר למערכת הפוליטית",
            "החקירה חושפת את ההשפעה של דוחה",
            "טורקיה וקטאר פועלות נגד ישראל",
            "התקשורת מסתירה את פרשת קטאר",
            "יועצים קיבלו כסף כדי לקדם את קטאר",
        ],
    ),
]

_LETTERS = {
    "en": "abcdefghiklmnoprstuvwy",
    "tr": "abcçdefgğhıijklmnoöprsştuüvyz",
    "ar": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "he": "אבגדהוזחטיכלמנסעפצקרשת",
}


def _vocabulary(lang: str, size: int = 3000) -> list[str]:
    """Everyday words of the language plus pseudo-words in its script (many topics)."""
    rng = np.random.default_rng(sum(map(ord, lang)))
    letters = _LETTERS[lang]
    made = {"".join(rng.choice(list(letters), size=rng.integers(3, 9))) for _ in range(size)}
    real = {w for s in CHATTER[lang] for w in s.split()} | set(FILLER[lang])
    return sorted(real) + sorted(made - real)


_CHATTER_WORDS = {lang: _vocabulary(lang) for lang in CHATTER}

EMOJI = ["", "", "!", "!!", " 🔥", " 👇", " ⚠️", "?"]


@dataclass
class Planted:
    posts: pd.DataFrame
    coordinated: set[str]
    campaigns: list[list[str]]


def _narrative_text(rng: np.random.Generator, n: int) -> str:
    lang, tag, phrases = NARRATIVES[n]
    k = rng.integers(1, 3)
    chosen = rng.choice(len(phrases), size=k, replace=False)
    words = [phrases[c] for c in chosen]
    filler = FILLER[lang]
    words += list(rng.choice(filler, size=rng.integers(1, 4)))
    rng.shuffle(words)
    tail = tag if rng.random() < 0.7 else ""
    return " ".join(words) + " " + tail + EMOJI[rng.integers(len(EMOJI))]


def _chatter(rng: np.random.Generator, lang: str) -> str:
    """Everyday chatter: a random run of everyday and filler words (no two alike)."""
    vocab = _CHATTER_WORDS[lang]
    n_real = len(FILLER[lang])
    weights = np.r_[np.full(n_real * 2, 8.0), np.ones(len(vocab) - n_real * 2)]
    weights = weights[: len(vocab)] / weights[: len(vocab)].sum()
    return " ".join(rng.choice(vocab, size=rng.integers(6, 14), p=weights))


def _edit(rng: np.random.Generator, text: str) -> str:
    """Small edits a campaign makes to one message: a word dropped, added or an emoji."""
    words = text.split()
    r = rng.random()
    if r < 0.3 and len(words) > 6:
        del words[rng.integers(len(words))]
    elif r < 0.6:
        words.insert(rng.integers(len(words) + 1), "!!")
    return " ".join(words) + EMOJI[rng.integers(len(EMOJI))]


def make_corpus(
    seed: int = 20261203,
    *,
    n_organic: int = 600,
    campaign_sizes: tuple[int, ...] = (15, 20, 12, 25),
    campaign_narratives: tuple[int, ...] = (0, 2, 5, 1),
    days: int = 14,
    posts_per_organic: float = 12.0,
    bursts_per_campaign: int = 30,
    organic_bursts: int = 120,
) -> Planted:
    """A corpus with planted campaigns (see the module notes); same seed, same corpus."""
    rng = np.random.default_rng(seed)
    t0 = int(pd.Timestamp("2025-09-01", tz="UTC").timestamp())
    span = days * 86400
    langs = ["en", "tr", "ar", "he"]
    rows: list[tuple[str, int, str, str, str, str, str, int]] = []
    organic = [f"user{i:04d}" for i in range(n_organic)]
    org_lang = rng.choice(langs, size=n_organic, p=[0.35, 0.25, 0.25, 0.15])
    url_pool = [f"https://news{i % 40}.example/{i}" for i in range(5000)]
    zipf_p = 1.0 / np.arange(1, len(url_pool) + 1) ** 1.1
    zipf_p /= zipf_p.sum()
    narrative_of_lang = {
        lang: [i for i, n in enumerate(NARRATIVES) if n[0] == lang] for lang in langs
    }

    def add(
        author: str,
        t: int,
        text: str,
        url: str = "",
        lang: str = "",
        repost: str = "",
        narrative: int = -1,
    ) -> str:
        pid = f"p{len(rows):07d}"
        rows.append((pid, t, author, text, url, lang, repost, narrative))
        return pid

    # Organic activity.
    for a, lang in zip(organic, org_lang, strict=True):
        for _ in range(rng.poisson(posts_per_organic)):
            t = t0 + int(rng.integers(span))
            url = str(rng.choice(url_pool, p=zipf_p)) if rng.random() < 0.35 else ""
            pool = narrative_of_lang[lang]
            if pool and rng.random() < 0.25:
                n = int(rng.choice(pool))
                add(a, t, _narrative_text(rng, n), url, lang, narrative=n)
            else:
                add(a, t, _chatter(rng, lang), url, lang)
    # Organic reposts, hours later.
    originals = list(range(len(rows)))
    for _ in range(len(rows) // 4):
        src = rows[originals[rng.integers(len(originals))]]
        a = organic[rng.integers(n_organic)]
        t = src[1] + int(rng.exponential(6 * 3600))
        add(a, t, src[3], "", src[5], repost=src[0], narrative=src[7])
    # Organic bursts: a viral link shared by a random crowd within minutes.
    for _ in range(organic_bursts):
        url = f"https://viral.example/{rng.integers(10**9)}"
        t = t0 + int(rng.integers(span))
        crowd = rng.choice(n_organic, size=rng.integers(5, 30), replace=False)
        for c in crowd:
            lang = str(org_lang[c])
            add(organic[c], t + int(rng.exponential(240)), _chatter(rng, lang), url, lang)
    # Campaigns.
    campaigns = []
    for ci, (size, narrative) in enumerate(zip(campaign_sizes, campaign_narratives, strict=True)):
        members = [f"acct{ci}x{j:02d}" for j in range(size)]
        campaigns.append(members)
        lang = NARRATIVES[narrative][0]
        for m in members:  # camouflage: ordinary chatter and links
            for _ in range(rng.poisson(posts_per_organic / 2)):
                t = t0 + int(rng.integers(span))
                url = str(rng.choice(url_pool, p=zipf_p)) if rng.random() < 0.3 else ""
                add(m, t, _chatter(rng, lang), url, lang)
        for b in range(bursts_per_campaign):
            t = t0 + int(rng.integers(span))
            share = rng.uniform(0.5, 0.9)
            active = [m for m in members if rng.random() < share]
            kind = b % 3
            text = _narrative_text(rng, narrative)
            url = f"https://campaign{ci}.example/story/{b}" if kind == 0 else ""
            if kind == 2:  # everyone reposts a seed post
                seed_pid = add(members[0], t, text, "", lang, narrative=narrative)
            for m in active:
                lag = int(min(rng.exponential(40), 600))
                if kind == 2:
                    add(m, t + 5 + lag, text, "", lang, repost=seed_pid, narrative=narrative)
                else:
                    add(m, t + lag, _edit(rng, text), url, lang, narrative=narrative)
    df = pd.DataFrame(
        rows, columns=["id", "t", "author", "text", "url", "lang", "repost_of", "narrative"]
    )
    df["time"] = pd.to_datetime(df["t"], unit="s", utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    perm = rng.permutation(len(df))  # file order is not time order
    df = df.iloc[perm].reset_index(drop=True)
    coordinated = {m for c in campaigns for m in c}
    return Planted(df, coordinated, campaigns)


def write_generic_csv(planted: Planted, path) -> None:
    """The corpus as a generic CSV (id, time, author, text, url, lang, repost_of)."""
    planted.posts[["id", "time", "author", "text", "url", "lang", "repost_of"]].to_csv(
        path, index=False
    )
