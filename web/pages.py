"""The service's landing page until the browser map (web/static) takes its place."""

from __future__ import annotations

from html import escape

from layers.pack import LayerPack

_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>reliefgis 自然灾害救助空间决策支持</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em auto;
       max-width: 46em; line-height: 1.6; color: #222; }}
code {{ background: #f3f3f3; padding: 0 .3em; }}
td, th {{ padding: .2em .8em; text-align: left; border-bottom: 1px solid #ddd; }}
.note {{ color: #8a4b00; }}
</style>
</head>
<body>
<h1>reliefgis 自然灾害救助空间决策支持</h1>
<p>图层包：<code>{pack}</code></p>
<table>
<tr><th>区县</th><th>代码</th><th>人口</th></tr>
{rows}
</table>
<p class="note">演示数据：区县边界与人口为真实数据（来源见图层属性）；避难场所、物资储备库、
隐患区、道路及人口格网的空间分布为合成数据。</p>
<ul>
<li><a href="/docs">API 文档（OpenAPI）</a></li>
<li><a href="/api/v1/plans">预案列表</a></li>
<li><a href="/api/v1/layers">图层列表</a></li>
<li><a href="/api/v1/layers/counties">区县图层（GeoJSON）</a></li>
</ul>
</body>
</html>
"""


def index_html(pack: LayerPack) -> str:
    """The landing page: the pack in use, its counties and links to the API."""
    rows = "\n".join(
        f"<tr><td>{escape(str(r['name']))}</td><td>{escape(str(r['code']))}</td>"
        f"<td>{int(r['population']):,}</td></tr>"
        for _, r in pack.counties.iterrows()
    )
    return _PAGE.format(pack=escape(str(pack.path)), rows=rows)
