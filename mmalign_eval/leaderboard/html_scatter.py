"""The export's scatter of two chosen metrics, drawn in the page so that its axes can change."""

from __future__ import annotations

import json
from typing import Any

from mmalign_eval.leaderboard.html_charts import esc
from mmalign_eval.leaderboard.rank import metric_of, settings_key, settings_letters
from mmalign_eval.leaderboard.schema import Board
from mmalign_eval.leaderboard.view import ARROWS, cell, columns

MIN_POINTS = 3  # fewer shared entries than this make a cross-category default pointless
BETTER = {"higher": "higher is better", "lower": "lower is better"}
PALETTE = ("#2f6fb5", "#c4472f", "#2e8b57", "#8a5bb8", "#d08a1e", "#3a9fae", "#7a6a58", "#b0487f")

# Points are re-laid on every change of a select; labels that would overlap a point or an
# earlier label try the other sides and are dropped last (the tooltip still names the point).
SCATTER_JS = """
(function(){
var node=document.getElementById('scatter-data');if(!node)return;
var D=JSON.parse(node.textContent),NS='http://www.w3.org/2000/svg';
var svg=document.getElementById('scatter'),sx=document.getElementById('scatter-x'),
  sy=document.getElementById('scatter-y');
var W=900,H=470,L=70,R=16,T=12,B=56,PW=W-L-R,PH=H-T-B;
function el(tag,a,text){var e=document.createElementNS(NS,tag);
  for(var k in a)e.setAttribute(k,a[k]);if(text!=null)e.textContent=text;return e;}
function scale(vals){var lo=Math.min.apply(null,vals),hi=Math.max.apply(null,vals);
  var pad=(hi-lo)*0.08||Math.abs(hi)*0.05||1;lo-=pad;hi+=pad;
  var raw=(hi-lo)/5,p=Math.pow(10,Math.floor(Math.log10(raw))),m=raw/p;
  var step=(m<1.5?1:m<3.5?2:m<7.5?5:10)*p,ticks=[];
  for(var v=Math.ceil(lo/step)*step;v<=hi+step*1e-9;v+=step)ticks.push(v);
  return {lo:lo,hi:hi,ticks:ticks,dec:Math.max(0,-Math.floor(Math.log10(step)+1e-9))};}
function hit(a,b){return a.x<b.x+b.width&&b.x<a.x+a.width&&a.y<b.y+b.height&&b.y<a.y+a.height;}
function draw(){
  var kx=sx.value,ky=sy.value,X=D.metrics[kx],Y=D.metrics[ky];
  while(svg.firstChild)svg.removeChild(svg.firstChild);
  svg.setAttribute('viewBox','0 0 '+W+' '+H);
  svg.setAttribute('width',W);svg.setAttribute('height',H);
  var pts=D.entries.filter(function(e){return kx in e.v&&ky in e.v;});
  svg.setAttribute('data-points',pts.length);
  document.getElementById('scatter-count').textContent=pts.length+' of '+D.entries.length+
    ' entries have both metrics.';
  svg.appendChild(el('text',{x:L+PW/2,y:H-8,'text-anchor':'middle','class':'axislabel'},X.axis));
  svg.appendChild(el('text',{x:-(T+PH/2),y:16,transform:'rotate(-90)','text-anchor':'middle',
    'class':'axislabel'},Y.axis));
  if(!pts.length){svg.appendChild(el('text',{x:L+PW/2,y:T+PH/2,'text-anchor':'middle',
    'class':'note'},'No entry has both metrics.'));return;}
  var sX=scale(pts.map(function(p){return p.v[kx];}));
  var sY=scale(pts.map(function(p){return p.v[ky];}));
  function px(v){return L+(v-sX.lo)/(sX.hi-sX.lo)*PW;}
  function py(v){return T+PH-(v-sY.lo)/(sY.hi-sY.lo)*PH;}
  var grid=el('g',{'class':'grid'});svg.appendChild(grid);
  sX.ticks.forEach(function(t){grid.appendChild(el('line',{x1:px(t),x2:px(t),y1:T,y2:T+PH}));
    svg.appendChild(el('text',{x:px(t),y:T+PH+15,'text-anchor':'middle','class':'tick'},
      t.toFixed(sX.dec)));});
  sY.ticks.forEach(function(t){grid.appendChild(el('line',{x1:L,x2:L+PW,y1:py(t),y2:py(t)}));
    svg.appendChild(el('text',{x:L-6,y:py(t)+4,'text-anchor':'end','class':'tick'},
      t.toFixed(sY.dec)));});
  svg.appendChild(el('rect',{x:L,y:T,width:PW,height:PH,'class':'frame'}));
  var boxes=[],placed=[];
  pts.forEach(function(p){var x=px(p.v[kx]),y=py(p.v[ky]),c=D.colors[p.group];
    var odd=[p.l[X.task],p.l[Y.task]].filter(Boolean);
    var a={'class':'pt'+(odd.length?' odd':''),'data-entry':p.id,stroke:c,fill:odd.length?'#fff':c};
    var m=p.base?el('rect',Object.assign(a,{x:x-4,y:y-4,width:8,height:8})):
      el('circle',Object.assign(a,{cx:x,cy:y,r:4.5}));
    m.appendChild(el('title',{},p.name+' ('+p.source+')\\n'+X.label+': '+p.v[kx].toFixed(2)+
      '\\n'+Y.label+': '+p.v[ky].toFixed(2)+(odd.length?'\\nsettings '+odd.join(', ')+
      ' (not comparable with a)':'')));
    svg.appendChild(m);boxes.push({x:x-5,y:y-5,width:10,height:10});placed.push([p,x,y]);});
  placed.forEach(function(q){var sides=[[7,4,'start'],[-7,4,'end'],[0,-8,'middle'],[0,15,'middle']];
    for(var i=0;i<sides.length;i++){var t=el('text',{x:q[1]+sides[i][0],y:q[2]+sides[i][1],
      'text-anchor':sides[i][2],'class':'ptlabel'},q[0].short);svg.appendChild(t);var b=t.getBBox();
      var inside=b.x>=L&&b.y>=T&&b.x+b.width<=L+PW&&b.y+b.height<=T+PH;
      if(inside&&!boxes.some(function(o){return hit(o,b);})){boxes.push(b);return;}
      svg.removeChild(t);}});
  if(window.fitSvg)window.fitSvg(svg);
}
sx.addEventListener('change',draw);sy.addEventListener('change',draw);draw();
})();
"""


def metric_options(board: Board) -> list[dict[str, str]]:
    """Every metric with a direction on a shown benchmark, primary metrics first per benchmark."""
    options = []
    for col in columns(board):
        task, seen = col.benchmark.task, dict[str, str]()
        for entry in board.entries:
            result = entry.task(task)
            for m in result.metrics if result else []:
                if m.direction != "neither":
                    seen.setdefault(m.name, m.direction)
        for name in sorted(seen, key=lambda n: n != col.metric):  # stable: board order otherwise
            arrow, title = ARROWS[seen[name]], col.benchmark.title
            options.append(
                {
                    "key": f"{task}:{name}",
                    "task": task,
                    "category": col.benchmark.category,
                    "label": f"{title} · {name} {arrow}",
                    "axis": f"{title} · {name} {arrow} ({BETTER[seen[name]]})",
                }
            )
    return options


def default_axes(board: Board) -> tuple[str, str] | None:
    """x: a hallucination metric, y: another category's (the alignment tax) when enough
    entries have both; else two hallucination benchmarks; else any two; the most shared first.
    """
    cols = [c for c in columns(board) if c.direction != "neither"]
    have = {
        f"{c.benchmark.task}:{c.metric}": {
            e.id for e in board.entries if cell(e, c).value is not None
        }
        for c in cols
    }
    hall = [k for k, c in zip(have, cols, strict=True) if c.benchmark.category == "hallucination"]
    rest = [k for k in have if k not in hall]

    def best(pairs: list[tuple[str, str]], least: int) -> tuple[str, str] | None:
        shared = [(len(have[x] & have[y]), -i, (x, y)) for i, (x, y) in enumerate(pairs)]
        top = max(shared, default=None)
        return top[2] if top and top[0] >= least else None

    return (
        best([(x, y) for x in hall for y in rest], MIN_POINTS)
        or best([(x, y) for i, x in enumerate(hall) for y in hall[i + 1 :]], 2)
        or best([(x, y) for i, x in enumerate(have) for y in list(have)[i + 1 :]], 1)
    )


def scatter_data(board: Board) -> dict[str, Any]:
    """What the page's script draws: metrics by key, entries' values and odd settings letters."""
    options = metric_options(board)
    groups = sorted({e.base_model or e.model for e in board.entries})
    letters = {b.task: settings_letters(board, b.task) for b in board.benchmarks}
    entries = []
    for e in board.entries:
        values = {}
        for opt in options:
            metric = metric_of(e, opt["task"], opt["key"].split(":", 1)[1])
            if metric is not None and (value := metric.percent()) is not None:
                values[opt["key"]] = round(value, 6)
        odd = {}
        for task, found in letters.items():
            key = settings_key(e, task)
            if len(found) > 1 and key is not None and found[key] != "a":
                odd[task] = found[key]
        entries.append(
            {
                "id": e.id,
                "name": e.model,
                "short": e.method or e.model,
                "source": e.source_label,
                "group": e.base_model or e.model,
                "base": e.method is None,
                "v": values,
                "l": odd,
            }
        )
    colors = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}
    return {"metrics": {o["key"]: o for o in options}, "entries": entries, "colors": colors}


def _select(name: str, options: list[dict[str, str]], chosen: str) -> str:
    groups: dict[str, list[str]] = {}
    for o in options:
        mark = " selected" if o["key"] == chosen else ""
        groups.setdefault(o["category"], []).append(
            f'<option value="{esc(o["key"])}"{mark}>{esc(o["label"])}</option>'
        )
    body = "".join(f'<optgroup label="{esc(c)}">{"".join(v)}</optgroup>' for c, v in groups.items())
    return f'<label>{name} <select id="scatter-{name[0]}">{body}</select></label>'


def scatter(board: Board) -> str:
    """The scatter card: a select per axis, the plot, and a legend of colours and marks."""
    axes = default_axes(board)
    if axes is None:
        return "<p><small>Fewer than two metrics have numbers: no scatter.</small></p>"
    data = scatter_data(board)
    options = metric_options(board)
    swatches = "".join(
        f'<span class="swatch" style="background:{c}"></span>{esc(g)} '
        for g, c in data["colors"].items()
    )
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return (
        f'<figure class="card scatter"><figcaption>{_select("x axis", options, axes[0])} '
        f'{_select("y axis", options, axes[1])} <small id="scatter-count"></small></figcaption>'
        '<svg id="scatter" class="scatter" role="img" aria-label="scatter of two metrics"></svg>'
        f'<p class="key"><small>Colour: base model. {swatches}<br>■ base model, ● method; '
        "hollow: settings differ from the benchmark's most common ones (a) on either axis. "
        "Hover a point for its values.</small></p></figure>"
        f'<script type="application/json" id="scatter-data">{payload}</script>'
    )
