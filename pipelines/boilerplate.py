"""Page furniture in extracted text: what is not the story, and where the story ends.

trafilatura hands back the main block of a page; around a news story that block often still
carries the headline again, a dateline, an affiliate disclosure, newsletter pitches, author bios,
"related" rails and reader comments. These rules work on the text's paragraphs, so they hold for
any site: they name kinds of furniture that news pages share, never a site.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"\w+", re.UNICODE)
SHORT = 30  # words: furniture paragraphs are short; a long paragraph is story even if it says "newsletter"

# Paragraphs that are furniture wherever they stand.
_FURNITURE = re.compile(
    r"""^(?:
      advertisement | sponsored(\s+content)? | promotion | promoted(\s+content)? | paid\s+(content|post) |
      partner\s+content | story\s+continues(\s+below)?(\s+advertisement)? |
      (continue|keep)\s+reading(\s+below)?(\s+the\s+(ad|advertisement))? |
      (share|tweet|email|print|copy\s+link|link\s+copied|save)(\s+(this|on|article|story|to\s+\w+))*\s*[:!.]? |
      also\s*:\s*[^.!?]{1,150} |
      (trending|related|recommended|see\s+also|also\s+see|also\s+read|read\s+(more|next|also)|more|
       more\s+(from|on)\s+[^.]{0,40}|required\s+reading|don['’]t\s+miss|watch|listen|up\s+next|
       most\s+(popular|read))\s*[:|].{0,200} |
      recommended(\s+(for\s+you|videos?|stories|reading))? |
      (opinion|analysis|commentary|editorial|breaking(\s+news)?)\s*: |
      \d{1,3}\s+of\s+\d{1,3} | (click|tap)\s+(here\s+)?to\s+.{0,120} | follow\s+us\s+on\s+.{0,80} |
      scroll\s+(down|through)\b.{0,120} | (view|see)\s+(the\s+)?(full\s+)?(gallery|slideshow|photos)\b.{0,60} |
      (this|the)\s+(article|story|post|piece|content)\s+(was\s+)?(originally\s+)?(appeared|published|produced|republished)\b.{0,240} |
      originally\s+(published|appeared)\s+(as|in|on|at)\b.{0,200} |
      a\s+version\s+of\s+this\s+(article|story)\s+(first\s+)?appeared\b.{0,200} |
      (copyright\s*)?(©|\(c\)|copyright)\s*(\d{4})?.{0,120}(all\s+rights\s+reserved|\d{4}).{0,80} |
      all\s+rights\s+reserved\.? |
      (listen\s+to|subscribe\s+to|follow)\s+(the|our)\s+podcast\b.{0,160} |
      (this|the)\s+(newsletter|email)\s+may\s+contain\b.{0,300} |
      join\s+(the\s+)?(conversation|discussion)\b.{0,120} | leave\s+a\s+(comment|reply)\b.{0,40} |
      \d+\s+comments? | comments?\s*(\(\d+\))? | published | updated | submitted\s+photo |
      (instagram|twitter|x|tiktok|youtube|facebook|spotify|vimeo|threads|bluesky)\s+(content|post|video) |
      this\s+content\s+can\s+also\s+be\s+viewed\s+on\s+the\s+site\s+it\s+originates\s+from\.? |
      [—–-]?\s*[^()]{1,60}\s+\(@\w{1,30}\)\s+\w+\s+\d{1,2},\s+\d{4}
    )$""",
    re.I | re.X,
)

# The same kinds of furniture in the other languages news is written in, as data: a line that is
# only one of these words is furniture (``LINES``), a rail heading (``RAILS``), or the heading of a
# comment section or notes (``ENDS``); ``PITCHES`` give a paragraph away as a sign-up or donation
# appeal wherever they stand in it. Keys are ISO 639-1 codes; matching ignores case and a
# trailing colon or punctuation.
FOREIGN_FURNITURE: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {"LINES": ("anzeige", "werbung", "teilen", "artikel teilen", "drucken", "weiterlesen", "mehr lesen",
                     "weiterlesen nach der anzeige", "lesen sie weiter", "artikel anhören", "kommentieren"),
           "RAILS": ("mehr zum thema", "auch interessant", "das könnte sie auch interessieren", "lesen sie auch",
                     "weitere artikel", "verwandte artikel", "ähnliche artikel", "meistgelesen", "empfohlen",
                     "passend zum thema", "mehr aus", "das könnte dich auch interessieren"),
           "ENDS": ("kommentare", "leserkommentare", "quellen", "fußnoten"),
           "PITCHES": ("newsletter abonnieren", "zum newsletter anmelden", "melden sie sich für unseren newsletter an",
                       "unterstützen sie unseren journalismus", "jetzt abonnieren")},
    "fr": {"LINES": ("publicité", "partager", "imprimer", "lire la suite", "lire plus", "sponsorisé",
                     "écouter cet article"),
           "RAILS": ("à lire aussi", "lire aussi", "sur le même sujet", "articles liés", "articles similaires",
                     "à voir aussi", "voir aussi", "les plus lus", "à découvrir", "dans la même rubrique"),
           "ENDS": ("commentaires", "réagir", "sources", "notes et références"),
           "PITCHES": ("abonnez-vous à notre newsletter", "inscrivez-vous à notre newsletter",
                       "inscrivez-vous à la newsletter", "soutenez notre journalisme", "faites un don")},
    "es": {"LINES": ("publicidad", "anuncio", "compartir", "imprimir", "leer más", "patrocinado"),
           "RAILS": ("noticias relacionadas", "te puede interesar", "lee también", "leer también", "lea también",
                     "artículos relacionados", "también te puede interesar", "lo más leído", "más noticias", "ver también"),
           "ENDS": ("comentarios", "fuentes", "referencias"),
           "PITCHES": ("suscríbete a nuestro boletín", "suscríbete a nuestra newsletter", "apoya nuestro periodismo",
                       "recibe nuestro boletín")},
    "it": {"LINES": ("pubblicità", "condividi", "stampa", "leggi di più", "continua a leggere", "sponsorizzato"),
           "RAILS": ("leggi anche", "articoli correlati", "potrebbe interessarti", "ti potrebbe interessare",
                     "notizie correlate", "i più letti", "più letti", "vedi anche"),
           "ENDS": ("commenti", "fonti"),
           "PITCHES": ("iscriviti alla newsletter", "iscriviti alla nostra newsletter", "sostieni il nostro giornalismo")},
    "pt": {"LINES": ("publicidade", "anúncio", "compartilhar", "partilhar", "imprimir", "leia mais", "continua após a publicidade",
                     "continua depois da publicidade"),
           "RAILS": ("leia também", "veja também", "notícias relacionadas", "artigos relacionados", "mais lidas",
                     "mais lidos", "você pode gostar", "saiba mais"),
           "ENDS": ("comentários", "fontes", "referências"),
           "PITCHES": ("assine a newsletter", "assine nossa newsletter", "inscreva-se na newsletter",
                       "apoie o nosso jornalismo", "apoie nosso jornalismo")},
    "nl": {"LINES": ("advertentie", "delen", "deel dit artikel", "lees verder", "lees meer", "gesponsord"),
           "RAILS": ("lees ook", "meer over", "gerelateerde artikelen", "gerelateerd", "meest gelezen", "ook interessant"),
           "ENDS": ("reacties", "bronnen"),
           "PITCHES": ("schrijf je in voor de nieuwsbrief", "meld je aan voor de nieuwsbrief",
                       "abonneer je op de nieuwsbrief", "steun onze journalistiek")},
    "no": {"LINES": ("annonse", "reklame", "del", "del artikkelen", "les mer", "les også"),
           "RAILS": ("les også", "relaterte saker", "relaterte artikler", "mest lest", "flere saker"),
           "ENDS": ("kommentarer", "kilder"),
           "PITCHES": ("meld deg på nyhetsbrevet", "abonner på nyhetsbrevet")},
    "sv": {"LINES": ("annons", "reklam", "dela", "dela artikeln", "läs mer"),
           "RAILS": ("läs också", "läs även", "relaterade artiklar", "mest läst", "fler artiklar"),
           "ENDS": ("kommentarer", "källor"),
           "PITCHES": ("prenumerera på nyhetsbrevet", "anmäl dig till nyhetsbrevet", "stöd vår journalistik")},
    "da": {"LINES": ("annonce", "reklame", "del", "del artiklen", "læs mere"),
           "RAILS": ("læs også", "relaterede artikler", "mest læste", "flere artikler"),
           "ENDS": ("kommentarer", "kilder"),
           "PITCHES": ("tilmeld dig nyhedsbrevet", "støt vores journalistik")},
    "pl": {"LINES": ("reklama", "udostępnij", "drukuj", "czytaj więcej", "czytaj dalej", "artykuł sponsorowany"),
           "RAILS": ("czytaj też", "czytaj także", "zobacz też", "zobacz także", "powiązane artykuły",
                     "najczęściej czytane", "polecamy"),
           "ENDS": ("komentarze", "źródła", "przypisy"),
           "PITCHES": ("zapisz się do newslettera", "zapisz się na newsletter", "wesprzyj nasze dziennikarstwo")},
    "ru": {"LINES": ("реклама", "поделиться", "печать", "читать далее", "читать полностью"),
           "RAILS": ("читайте также", "смотрите также", "похожие статьи", "похожие новости", "по теме",
                     "самое читаемое", "еще по теме", "ещё по теме", "другие новости"),
           "ENDS": ("комментарии", "источники", "примечания"),
           "PITCHES": ("подпишитесь на рассылку", "подписывайтесь на наш", "поддержите нашу редакцию",
                       "подпишитесь на наш канал")},
    "ja": {"LINES": ("広告", "スポンサーリンク", "シェア", "シェアする", "ツイート", "印刷", "続きを読む", "記事を読む", "pr"),
           "RAILS": ("関連記事", "関連ニュース", "あわせて読みたい", "合わせて読みたい", "おすすめ記事", "人気記事",
                     "こちらもおすすめ", "アクセスランキング", "注目記事"),
           "ENDS": ("コメント", "参考文献", "出典"),
           "PITCHES": ("ニュースレターに登録", "メルマガ登録", "メールマガジンに登録", "公式lineを友だち追加")},
    "ko": {"LINES": ("광고", "공유", "공유하기", "인쇄", "더보기", "기사 더보기"),
           "RAILS": ("관련기사", "관련 기사", "관련뉴스", "관련 뉴스", "많이 본 뉴스", "많이 본 기사", "추천 기사",
                     "함께 보면 좋은 기사", "이 시각 주요뉴스", "주요뉴스"),
           "ENDS": ("댓글", "참고문헌", "출처"),
           "PITCHES": ("뉴스레터 구독", "뉴스레터를 구독", "무단전재 및 재배포 금지", "무단 전재 및 재배포 금지",
                       "기자 구독", "제보는 카카오톡")},
    "zh": {"LINES": ("广告", "廣告", "分享", "分享到", "打印", "阅读全文", "閱讀全文", "推广", "推廣"),
           "RAILS": ("相关新闻", "相關新聞", "相关文章", "相關文章", "延伸阅读", "延伸閱讀", "推荐阅读", "推薦閱讀",
                     "热门文章", "熱門文章", "猜你喜欢", "猜你喜歡", "更多新闻", "更多新聞"),
           "ENDS": ("评论", "評論", "留言", "参考资料", "參考資料", "参考文献"),
           "PITCHES": ("订阅我们的", "訂閱我們的", "版权所有", "版權所有", "未经授权不得转载", "未經授權不得轉載",
                       "扫码关注", "掃碼關注")},
}
# Donation appeals in English (those in other languages are among the PITCHES above).
_APPEAL = re.compile(
    r"""(\bsupport\s+(our|independent)\s+(newsroom|journalism|reporting)\b |
      \bas\s+little\s+as\s+[$€£]\s?\d | \b(make|become)\s+a\s+(tax-deductible\s+)?(donation|donor|member|supporter)\b.{0,80}\b(today|now|support|journalism|newsroom)\b |
      \bdonate\s+(now|today)\b | \b(reader|member)-(supported|funded)\b.{0,60}\b(journalism|newsroom|news)\b |
      \bwe\s+rely\s+on\s+(readers|donations|support)\b | \bplease\s+consider\s+(supporting|donating|a\s+donation)\b)""",
    re.I | re.X,
)


def _phrases(kind: str) -> list[str]:
    return sorted({p for lang in FOREIGN_FURNITURE.values() for p in lang[kind]}, key=len, reverse=True)


class _WholeLine:
    """A line that is one of the phrases and nothing else (bar trailing punctuation)."""

    def __init__(self, kind: str):
        self.phrases = frozenset(_phrases(kind))
        self.longest = max(len(p) for p in self.phrases)

    def match(self, text: str) -> bool:
        return len(text) <= self.longest + 4 and text.rstrip(" :：|.!…»›>-–—").casefold() in self.phrases


_FOREIGN_LINE = _WholeLine("LINES")
_FOREIGN_RAIL = _WholeLine("RAILS")
_FOREIGN_END = _WholeLine("ENDS")
# compiled once into one pattern: a paragraph is tested against every language's pitches in one scan
_FOREIGN_PITCH = re.compile("|".join(re.escape(p) for p in _phrases("PITCHES")))
_APPEAL_WORDS = ("support", "little", "donat", "donor", "member", "supported", "funded", "rely", "consider")


# Credit lines: short only ("(Twitter Photo / @POTUS)", "Photo: Jane Doe/Getty Images").
_CREDIT = re.compile(
    r"""^(
      \(?[^()]{0,60}\b(photo|image|illustration|screenshot|video|graphic|gallery|file)\s*(credits?)?\s*(/|:|by|courtesy)\s*[^()]{0,80}\)?\.? |
      (photo|image)?\s*credits?\s*:.{0,100} | gallery\s+credit\s*:.{0,80} | source\s*:.{0,80} |
      \(?(getty\s+images|ap\s+photo|reuters|afp|shutterstock)\)?\.?
    )$""",
    re.I | re.X,
)

# A caption: a photo described, then credited in brackets ("…at the Capitol. (AP)", "[Image via X]").
_CAPTION_END = re.compile(
    r"[(\[]\s*(?:(?:AP|AFP|Reuters|Getty|EPA|Shutterstock|iStock|Alamy)\b[^()\[\]]{0,60}|"
    r"(?:photo|image|credit|courtesy|illustration)\b[^()\[\]]{0,60})[)\]]\.?$", re.I)

# Sentences that give a paragraph away as a pitch, a disclosure or a byline box, wherever they occur.
_PITCH = re.compile(
    r"""(
      \bsign\s+up\b.{0,80}\b(newsletters?|emails?|alerts|updates|inbox)\b |
      \b(newsletters?|inbox|email\s+updates)\b.{0,80}\b(sign\s+up|subscribe|delivered)\b |
      \bsubscribe\b.{0,60}\b(newsletters?|inbox|premium|today|now)\b |
      \bdelivered\s+(straight\s+|right\s+|directly\s+)?to\s+your\s+inbox\b |
      \b(get|receive)\b.{0,60}\bin\s+your\s+inbox\b |
      \bthank\s+you\s+for\s+(subscribing|signing\s+up)\b |
      \bby\s+(submitting|signing\s+up|subscribing|clicking)\b.{0,80}\b(agree|consent|accept)\b |
      \b(we|editors?)\s+(may\s+)?(earn|receive|get)\s+(an?\s+)?(small\s+)?(affiliate\s+)?(commissions?|compensation|fees?|a\s+share\s+of\s+sales)\b |
      \baffiliate\s+(links?|commissions?|partnerships?)\b |
      \bindependently\s+selected\s+by\s+our\s+editors\b |
      \bour\s+journalism\s+needs\s+your\s+support\b |
      \b(install|download|get)\s+(the|our)\s+[\w\s]{0,30}\bapp\b.{0,40}\b(free|now|today|store)\b |
      \bthanks?\s+(you\s+)?for\s+signing\s+up\b | \bsubscription\s+(has\s+been\s+)?confirmed\b |
      \bkeep\s+an\s+eye\s+on\s+your\s+inbox\b | \bbe\s+the\s+first\s+to\s+(get|know|hear)\b |
      \b(can|may)\s+be\s+reached\s+(at|by|via)\b |
      \blike\s+what\s+you['’]re\s+reading\b | \bjob\s+listings\s+on\b | \bfind\s+more\s+jobs\b |
      \bemployers?,?\s+post\s+a\s+job\b |
      \b(contact|email|reach)\s+(the\s+)?(reporter|writer|author|\w+\s+\w+)\s+(at|via)\s+\S+@\S+ |
      \bfollow\s+(her|him|them|me)\s+on\s+(x|twitter|instagram|facebook|threads|linkedin|bluesky|mastodon)\b.{0,60}(@\w|$) |
      \bthis\s+feature\s+is\s+powered\s+by\s+text-to-speech\b |
      \bwe\s+use\s+cookies\b | \bcookies?\s+(policy|settings|preferences)\b |
      \bstart\s+your\s+.{0,40}\bsubscription\b | \bjoin\s+our\s+.{0,30}\bforums?\b.{0,40}\b(talk|discuss|keep)
    )""",
    re.I | re.X,
)

# Headings of link rails ("Related stories", "You might like"): the rail's items follow, and the
# story may go on after them.
_RAIL = re.compile(
    r"""^(
      (related|more|recommended|similar|popular|trending|top|latest|further|other|editor['’]?s)\s+
        (stories|articles|posts|news|reads|reading|coverage|content|videos|picks|links|topics|from\s+.{1,40}|on\s+.{1,40}|in\s+.{1,40}|this\s+week)\W* |
      related | recommended | trending(\s+now|\s+this\s+week)? | most\s+(popular|read|viewed|shared)(\s+\w+)? |
      more\s+must-reads?\s+from\s+.{1,40} | you\s+(may|might)\s+(also\s+)?(like|enjoy)\W* |
      read\s+(more|next|also)\W* | what\s+to\s+read\s+next\W* | keep\s+reading\W* | up\s+next\W* | deep\s+dive\W* |
      don['’]t\s+miss\W* | see\s+also\W* | also\s+(read|see)\W* | more\s+coverage\W* | in\s+case\s+you\s+missed\s+it\W*
    )$""",
    re.I | re.X,
)
# The same vocabulary inside a longer rail heading ("Vanity Fair's Most Read Stories of 2023").
_RAIL_WORDS = re.compile(
    r"\b(most\s+(read|popular|viewed|shared)\s+(stories|articles|posts|news)|related\s+(stories|articles|posts|coverage|reading)|"
    r"recommended\s+(for\s+you|stories|reading|articles)|more\s+(stories|must-reads?|articles)\s+from|top\s+stories|"
    r"latest\s+(news|stories|articles)|editors?['’]?\s+picks)\b", re.I)

# Headings after which the story does not go on: comments, notes, credits, author boxes (a
# question, "Comments?", is the story's own line).
_END_MARKER = re.compile(
    r"""^(
      (reader\s+)?comments?(\s*\(\d+\))?[^\w?？]* | \d+\s+comments?[^\w?？]* |
      join\s+(the|our)\s+.{0,40}(conversation|discussion|forums?)\b.* |
      footnotes?[^\w?？]* | references[^\w?？]* | sources[^\w?？]* | photo\s+credits?[^\w?？]* |
      more\s+information\s*:.* | about\s+the\s+author[^\w?？]* | our\s+(full\s+)?coverage\s+of\b.{1,80} |
      (post|add|leave|write)\s+(your|a)\s+comments?[^\w?？]* |
      story\s+source[^\w?？]*
    )$""",
    re.I | re.X,
)

_DATE_WORDS = re.compile(
    r"""\b(
      jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?|
      mon(day)?|tue(s(day)?)?|wed(nesday)?|thu(rs(day)?)?|fri(day)?|sat(urday)?|sun(day)?|
      published|updated|posted|modified|written|created|last|on|at|am|pm|a\.m|p\.m|et|est|edt|pst|pdt|cst|cdt|gmt|bst|utc|ist|uk|cet|cest|eet|eest|msk|jst|kst|hkt|sgt|aest|aedt|nzst|nzdt|
      \d+(st|nd|rd|th)?|\d{1,2}:\d{2}|ago|hours?|minutes?|mins?|days?|read|min
    )\b""",
    re.I | re.X,
)


# Scripts written without spaces between words (Chinese, Japanese kana and kanji, Thai, Lao,
# Khmer, Myanmar) and Korean, whose spaced units hold several syllables: a run of these letters is
# one \w+ token, so their length is counted in characters, two to a word.
_UNSPACED_RANGES = ("\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u3040-\u30ff\u3130-\u318f"
                    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff")
_UNSPACED = re.compile(f"[{_UNSPACED_RANGES}]")
CHARACTERS_PER_WORD = 2
# a word token of any script: one letter of an unspaced script, or a run of other word characters
_TOKEN = re.compile(f"[{_UNSPACED_RANGES}]|(?:(?![{_UNSPACED_RANGES}])\\w)+")


# the same paragraph is measured and tested many times per page (trim, clean, doubt, compare):
# these tests are pure, so each is worked out once per text
_CACHE = 16384


@lru_cache(maxsize=_CACHE)
def words(text: str) -> int:
    """The length of a text in words, in any script: spaced words counted as words, letters of
    unspaced scripts (CJK, Thai, ...) as ``CHARACTERS_PER_WORD`` to a word."""
    if not _UNSPACED.search(text):
        return len(_WORD.findall(text))
    letters = len(_UNSPACED.findall(text))
    return len(_WORD.findall(_UNSPACED.sub(" ", text))) + (letters + CHARACTERS_PER_WORD - 1) // CHARACTERS_PER_WORD


# Lines that close a story on many sites, furniture only there (a story may quote such words):
# author bios, contributor and wire credits, research references, disclosures.
_CLOSING = re.compile(
    r"""^(
      (contributing|additional\s+reporting|reporting|writing|editing|compiled)\s*(by)?\s*:.* |
      (reporting|additional\s+reporting|editing|writing)\s+by\s+[A-Z].* |
      more\s+information\s*:.* | journal\s+information\s*:.* | provided\s+by\s+.{1,80} |
      [A-Z][\w.'’-]+(\s+[A-Z][\w.'’-]+){1,3}\s+(writes|reports|covers)\s+(about|on|for)\b.* |
      [A-Z][\w.'’-]+(\s+[A-Z][\w.'’-]+){1,3}\s+is\s+(a|an|the)\s+([\w-]+\s+){0,4}(reporter|writer|editor|
        correspondent|columnist|journalist|contributor|producer)\b.* |
      .{0,80}\bdo(es)?\s+not\s+own\s+shares\b.* | disclosure\s*:.* | (editor['’]s\s+)?note\s*:.{0,300} |
      .{0,160}\bcontributed\s+(reporting\s+)?(to\s+)?(this|the)\s+(report|story|article)\W* |
      [A-Z][\w.'’-]+(\s+(and\s+)?[A-Z][\w.'’-]+){0,5}\s+reported\s+from\s+[A-Z].{0,80} |
      includes\s+(information|reporting)\s+from\b.{0,80} | our\s+standards\s*:.* |
      story\s+source\s*:? | materials\s+provided\s+by\b.* |
      read\s+the\s+original\s+(article|story|post)\b.{0,80} |
      (cross-?posted|republished|reprinted|excerpted|adapted)\s+(with\s+permission\s+|by\s+permission\s+of\s+)?(from|by)?\b.{0,300} |
      this\s+(interview|conversation|transcript|q&a)\s+has\s+been\s+(edited|condensed|lightly\s+edited)\b.{0,80} |
      from\s+the\s+.{1,40}\s+(edition|issue)\W* | this\s+(story|article)\s+(will\s+)?appear(s|ed)?\s+in\s+the\b.{0,80}\bissue\b.* |
      discover\s+stories\s+from\s+this\s+section\b.* | explore\s+more\W* | next\s*:\s+.{1,150} |
      (source\s+)?(images?|photos?|photographs|illustrations?|photo\s+illustration)\s+by\s+[A-Z].{0,150} |
      .{1,60}['’]s\s+(most\s+recent|latest|new)\s+book\b.{0,150} |
      follow\s+(the\s+)?.{1,50}\s+on\s+(facebook|twitter|x|instagram|threads)\b.{0,60} |
      discuss\s+this\s+in\s+the\s+forums?\b.* |
      .{0,80}\bis\s+not\s+responsible\s+for\s+(the\s+)?(opinions|views|content)\b.* |
      the\s+(views|opinions)\s+expressed\s+(here|in\s+this\s+\w+|above)\b.{0,300}
    )$""",
    re.I | re.X,
)


# words one of the _PITCH patterns needs: a cheap test that spares most paragraphs the regex
_PITCH_WORDS = ("sign", "newsletter", "inbox", "email", "subscri", "thank", "agree", "consent", "accept", "commission",
                "compensation", "share of sales", "affiliate", "independently", "journalism", " app", "be the first",
                "reached", "reading", "job", "@", "follow", "text-to-speech", "cookie", "forum")


@lru_cache(maxsize=_CACHE)
def is_pitch(text: str) -> bool:
    """A sign-up pitch, disclosure, contact line or consent text."""
    low = text.lower()
    return any(w in low for w in _PITCH_WORDS) and bool(_PITCH.search(text)) or \
        any(w in low for w in _APPEAL_WORDS) and bool(_APPEAL.search(text)) or bool(_FOREIGN_PITCH.search(low))


def is_closing(paragraph: str) -> bool:
    return words(paragraph) <= SHORT * 2 and bool(_CLOSING.match(paragraph.strip(" -–—•|*")))


@lru_cache(maxsize=_CACHE)
def is_furniture(paragraph: str) -> bool:
    """A paragraph that is page furniture wherever it stands (short ones only)."""
    n = words(paragraph)
    if n > SHORT * 2 or _TABLE_RULE.match(paragraph):
        return False
    if n == 0 or "<a href=" in paragraph or "</" in paragraph:
        return True  # separators ("_____") and markup that leaked through as text
    if n >= 4 and paragraph.isupper() and re.search(r"\b(CLICK|CLICKING|TAP|SUBSCRIBE|DOWNLOAD|SIGN UP)\b",
                                                    paragraph):
        return True
    text = paragraph.strip(" -–—•|*")
    if _FURNITURE.match(text) or _FOREIGN_LINE.match(text) or (n <= 12 and _CREDIT.match(text)) or _CAPTION_END.search(text):
        return True
    if n <= SHORT * 2 and is_pitch(text):
        return True
    return is_dateline(text) and not _TABLE_ROW.match(paragraph)


# the extractor writes a table's rows as "| cell | cell |", its header rule as "|---|---|"
_TABLE_ROW = re.compile(r"^\s*\|.*\S.*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|(\s*:?-{3,}:?\s*\|)+\s*$")


def is_dateline(paragraph: str) -> bool:
    """``Sunday 17 December 2023 17:23, UK``, ``Updated 3 hours ago``: a date and nothing else.
    A table's row is none, even when its cells are a date and a number."""
    n = words(paragraph)
    if n == 0 or n > 14 or _TABLE_ROW.match(paragraph):
        return False
    rest = _DATE_WORDS.sub(" ", paragraph)
    return words(rest) == 0 and re.search(r"\d", paragraph) is not None


_NAMED_DATELINE = re.compile(r"^[A-Z][\w.'’-]+(\s+[A-Z][\w.'’-]+){0,3}\s+[-–—|·]\s+(?P<date>.+)$")


_DATED_BYLINE = re.compile(r"^(?P<date>.+?)\s+by\s+[\w.'’-]+(\s+[\w.'’-]+){0,3}$", re.I)


def is_byline(paragraph: str) -> bool:
    named = _NAMED_DATELINE.match(paragraph.strip())
    if named and is_dateline(named.group("date")):
        return True  # "Jane Doe - January 24, 2020"
    dated = _DATED_BYLINE.match(paragraph.strip())
    if dated and words(paragraph) <= 14 and is_dateline(dated.group("date")):
        return True  # "2/26/2015 7:11 AM PST BY JANE DOE"
    return bool(re.match(r"^(by|written\s+by|posted\s+(on\s+)?(by)?|words\s+by)\s+\S", paragraph.strip(), re.I)) \
        and words(paragraph) <= 14 and not paragraph.rstrip().endswith((".", "?", "!")) or \
        bool(re.match(r"^(posted|published)\s+(on\s+)?by\b", paragraph.strip(), re.I)) and words(paragraph) <= 14


def _tokens(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def similar(a: str, b: str, threshold: float = 0.8) -> bool:
    """Whether two short texts say the same (a headline repeated with small changes)."""
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return False
    common = len(set(ta) & set(tb))
    return common / max(len(set(ta)), len(set(tb))) >= threshold


def trim_head(paragraphs: list[str], title: str) -> list[str]:
    """Drop the headline repeated as the first paragraph, with the kickers, bylines and
    datelines around it, and whatever stands above it (disclosures, appeals, review badges)."""
    if title:
        total = sum(words(p) for p in paragraphs)
        above = 0
        for i, p in enumerate(paragraphs[:10]):
            if similar(p, title, 0.9):
                head = paragraphs[:i]
                if head and above <= total * 0.35 and any(is_furniture(q) or is_pitch(q) or _is_heading(q)
                                                          for q in head):
                    paragraphs = paragraphs[i:]
                break
            above += words(p)
    limit = min(len(paragraphs), 6)
    cut = 0
    for i in range(limit):
        p = paragraphs[i]
        if i < cut:
            continue
        if title and similar(p, title):
            cut = i + 1
            continue
        if title and i + 1 < limit and words(p) <= 8 and similar(p + " " + paragraphs[i + 1], title):
            cut = i + 2  # the headline printed on two lines (a name, then what befell it)
            continue
        if is_byline(p) or is_dateline(p) or is_furniture(p):
            cut = i + 1
            continue
        if words(p) <= 4 and i + 1 < limit and (title and similar(paragraphs[i + 1], title) or _is_heading(p) and (
                is_byline(paragraphs[i + 1]) or is_dateline(paragraphs[i + 1]))):
            cut = i + 1  # a kicker ("News", "Tennis Lessons") above the repeated headline or the byline
            continue
        break
    return paragraphs[cut:]


_REPLY = re.compile(r"\sReply$")


# a paragraph longer than this is story even when it says again what the story said (a summary,
# a recap of the lede): captions and pull quotes, the repeats worth dropping, are shorter
REPEAT_MAX_WORDS = SHORT * 2


def drop_repeats(paragraphs: list[str]) -> list[str]:
    """Drop paragraphs that repeat text already given (image captions, pull quotes)."""
    seen: set[str] = set()
    out = []
    for p in paragraphs:
        sh = shingles(p)
        if 12 <= words(p) <= REPEAT_MAX_WORDS and len(sh & seen) >= 0.8 * len(sh):
            continue
        seen |= sh
        out.append(p)
    return out


def _is_heading(paragraph: str) -> bool:
    return words(paragraph) <= 6 and not paragraph.rstrip().endswith((".", "!", "?", "”", '"', ":"))


def _is_item(paragraph: str) -> bool:
    """A rail entry: a headline-like line, not a sentence of prose."""
    text = paragraph.strip()
    if text.startswith(("-", "•", "*")):
        return words(text) <= 45
    return words(text) <= 20 and not text.endswith((".", "!", "?", "”", '"'))


def trim_tail(paragraphs: list[str]) -> list[str]:
    """In the story's second half: cut at a comment section, notes or a sign-up box; drop link
    rails (their heading and items)."""
    total = sum(words(p) for p in paragraphs)
    if not total:
        return paragraphs
    out: list[str] = []
    seen = 0
    i = 0
    while i < len(paragraphs):
        p = paragraphs[i]
        n = words(p)
        late = seen >= total * 0.5
        bare = p.strip(" -–—•|*:")
        if late and n <= 12 and (_END_MARKER.match(bare) or _FOREIGN_END.match(bare)):
            break
        if seen >= total * 0.6 and n <= SHORT * 2 and is_pitch(p) and out and _is_heading(out[-1]):
            out.pop()  # a sign-up box (heading and pitch): the page's, not the story's, from here on
            break
        if seen >= 80 and _REPLY.search(p):
            # a reader comment ("- username text … Reply"): the comment section starts at its first
            # line, however long the comments run next to a short story
            starts = [j for j in range(max(0, len(out) - 6), len(out)) if out[j].startswith(("- ", "• "))]
            if starts:
                del out[starts[0]:]
            break
        if n <= 12 and ((_RAIL.match(bare) or _FOREIGN_RAIL.match(bare)) and (late or n <= 4) or _RAIL_WORDS.search(bare) and _is_item(p)):
            i += 1
            while i < len(paragraphs) and _is_item(paragraphs[i]):
                seen += words(paragraphs[i])
                i += 1
            seen += n
            continue
        out.append(p)
        seen += n
        i += 1
    return out


def clean(paragraphs: list[str], title: str = "") -> list[str]:
    """The story's paragraphs: head and tail trimmed, furniture dropped."""
    paragraphs = trim_head(paragraphs, title)
    paragraphs = trim_tail(paragraphs)
    paragraphs = [p for p in paragraphs if not is_furniture(p)]
    return drop_repeats(trim_closing(paragraphs))


def trim_closing(paragraphs: list[str], reach: int = 12) -> list[str]:
    """Cut the closing lines (bios, credits, notes) and the link lists that trail them."""
    cut = len(paragraphs)
    for i in range(len(paragraphs) - 1, max(-1, len(paragraphs) - 1 - reach), -1):
        if is_closing(paragraphs[i]):
            cut = i
        elif not _is_item(paragraphs[i]):
            break
    return paragraphs[:cut]


def furniture_share(paragraphs: list[str]) -> float:
    """Share of words in furniture paragraphs: high means the extraction took the wrong block."""
    total = sum(words(p) for p in paragraphs)
    if not total:
        return 0.0
    return sum(words(p) for p in paragraphs if is_furniture(p) or is_pitch(p)) / total


@lru_cache(maxsize=4096)
def shingles(text: str, n: int = 4) -> frozenset[str]:
    tokens = [w.casefold() for w in _TOKEN.findall(text)]
    return frozenset(" ".join(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)))


def agreement(candidate: set[str], reference: set[str]) -> tuple[float, float]:
    """(share of the candidate found in the reference, share of the reference found in the candidate)."""
    if not candidate or not reference:
        return 0.0, 0.0
    common = len(candidate & reference)
    return common / len(candidate), common / len(reference)
