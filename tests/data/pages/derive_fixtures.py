#!/usr/bin/env python3
"""Builds the HTML fixtures of tests/data/pages/ from the real Chinese FAQ excerpt (see README.md).

The stored copy of the page is text (the archive kept no markup), so each fixture wraps the excerpt's own lines,
unchanged and in order, in one of the markup variants a Zoho Desk article uses, inside page chrome (head, script,
header navigation, related-articles sidebar, footer) that carries other addresses and host names from the
documentation ranges. The English fixture replaces the Chinese sentences by English ones and keeps every host
name and address. Run from anywhere: python3 tests/data/pages/derive_fixtures.py
"""
import html
import pathlib
import re

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE / "manageengine-sdp-cloud-general-faq-zh-mail-fetch-ips.excerpt.txt"
IP = re.compile(r"^\d+\.\d+\.\d+\.\d+$")

# Chrome shared by every fixture. Every address and host name in it must stay out of the extracted sections.
HEAD = """<!DOCTYPE html>
<!-- Derived test fixture, not a captured page: the text of manageengine-sdp-cloud-general-faq-zh-mail-fetch-ips.excerpt.txt in assumed Zoho Desk markup, written by derive_fixtures.py (see ../README.md). -->
<html lang="{lang}">
<head>
<meta charset="UTF-8">
<title>{title}</title>
<style>.KbDetailLtContainer__articleContent p {{ margin: 0 }} /* 192.0.2.50 */</style>
<script>window.__DESK_CONFIG = {{"edge": "198.51.100.20", "dc": "sdpondemand.manageengine.eu", "ts": 1717488000}};</script>
</head>
<body>
<header class="Header__header"><nav class="Header__navbar"><a href="/portal/{lang}/home">Home</a>
<a href="https://sdpondemand.manageengine.com">sdpondemand.manageengine.com</a> 192.0.2.10</nav></header>
<main id="mainContainer">
<div class="KbDetailLtContainer__articleContainer">
<h1 class="KbDetailLtContainer__title">{title}</h1>
<div class="KbDetailLtContainer__meta">{updated}: 2025-06-04 10:32</div>
<div class="KbDetailLtContainer__articleContent" id="articleContent">
<img src="https://d2pjbcxrv4p4ks.cloudfront.net/kb/faq.png?Policy=eyJTdGF0ZW1lbnQiOlt7IkNvbmRpdGlvbiI6eyJEYXRlTGVzc1RoYW4iOnsiQVdTOkVwb2NoVGltZSI6MTc2NTgyMjMxMH19fV19&amp;Signature=Qm9ndXNTaWduYXR1cmU&amp;Key-Pair-Id=K2JCJMDEHXQW5F" alt="">
"""

TAIL = """</div>
</div>
<div class="KbDetailRtContainer__relatedArticles">
<h3>Related Articles</h3>
<ul>
<li><a href="/portal/en/kb/articles/network-configuration-domains-to-allow-for-servicedesk-plus-cloud-access">Network Configuration: Domains to Allow for ServiceDesk Plus Cloud Access</a>
<p>If you are using sdpondemand.manageengine.com, allow css.zohostatic.com and 203.0.113.77</p></li>
<li><a href="/portal/en/kb/articles/ip-6-4-2025">IP Whitelisting Guide for Mail Servers</a><p>203.0.113.78</p></li>
</ul>
</div>
</main>
<footer class="Footer__footer">servicedeskplus.cn 203.0.113.99 &copy; Zoho Corporation</footer>
<script>var beacon = "203.0.113.200"; /* servicedeskplus.jp */</script>
</body>
</html>
"""

ENGLISH = {
    "常规FAQ": "General FAQ",
    "是的,您需要在您的防火墙中允许以下IP地址,以在应用程序中启用邮件获取。":
        "Yes, you need to allow the following IP addresses in your firewall to enable mail fetching in the application.",
}


def items(lines):
    """The excerpt's numbered FAQ items (indented by two spaces; their steps by four): (question, [lines])."""
    out = []
    for line in lines:
        m = re.match(r"^  (\d+)\. (.*)$", line)
        if m:
            out.append((m.group(2).strip(), []))
        elif out and line.strip():
            out[-1][1].append(line.strip())
    return out


def read_source():
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    return lines[0].strip(), items(lines)


def groups(answer):
    """Item 1's answer split into (intro sentence, [addresses]) runs; other lines get no addresses."""
    out = []
    for line in answer:
        if IP.match(line) and out:
            out[-1][1].append(line)
        else:
            out.append((line, []))
    return out


def render_item(question, answer, style, translate):
    body = [f"<li><p><strong>{html.escape(translate(question))}</strong></p>"]
    for intro, ips in groups(answer):
        intro = html.escape(translate(intro))
        if not ips:
            body.append(f"<p>{intro}</p>")
        elif style == "p":
            body.append(f"<p>{intro}</p>")
            body += [f"<p>{ip}</p>" for ip in ips]
        elif style == "br":
            joined = "<br>\n".join(f"&nbsp;{ip}&nbsp;" for ip in ips)
            body.append(f"<div>{intro}<br>\n{joined}<br></div>")
        elif style == "li":
            body.append(f"<p>{intro}</p>\n<ul>")
            body += [f"<li><span style=\"font-size: 10pt\">{ip}</span>&nbsp;</li>" for ip in ips]
            body.append("</ul>")
    body.append("</li>")
    return "\n".join(body)


def english(line):
    if line in ENGLISH:
        return ENGLISH[line]
    m = re.match(r"^如果您(?:使用的是|正在使用)(\S+?),请允许以下IP地址:$", line)
    if m:
        return f"If you are using {m.group(1)}, please allow the following IP addresses:"
    if line.startswith("1. ") or line.startswith("对于我的组织"):
        return ("Are there any IP addresses that need to be allowed, or ports that need to be opened, for my "
                "organization to send and receive email with ServiceDesk Plus Cloud?")
    return line


def write(name, lang, style, translate):
    title, faq = read_source()
    parts = [HEAD.format(lang=lang, title=html.escape(translate(title)),
                         updated="Updated" if lang == "en" else "更新时间")]
    if style == "en-div":
        # No list around the items: the article body is the only scope, sections end at the next anchor.
        question, answer = faq[0]
        parts.append(f"<h2>{html.escape(translate(question))}</h2>")
        for intro, ips in groups(answer):
            parts.append(f"<div>{html.escape(translate(intro))}</div>")
            if ips:
                parts.append("<div>" + "<br>".join(ips) + "</div>")
        parts.append("<h2>Other questions</h2><p>See the time zone settings under Personalize.</p>")
    else:
        parts.append("<ol>")
        parts += [render_item(q, a, style, translate) for q, a in faq]
        parts.append("</ol>")
    parts.append(TAIL)
    (HERE / name).write_text("\n".join(parts), encoding="utf-8")


if __name__ == "__main__":
    write("sdp-general-faq-zh-p.html", "zh", "p", lambda s: s)
    write("sdp-general-faq-zh-br.html", "zh", "br", lambda s: s)
    write("sdp-general-faq-zh-li.html", "zh", "li", lambda s: s)
    write("sdp-general-faq-en-div.html", "en", "en-div", english)
