"""Where the certification rules come from.

Almost every number in harmony certification is local policy, held per region and year in a
`RuleSet` (domain guide §4). The defaults shipped in migration 0002 follow the park's programme:

- 柳东新区劳动关系和谐企业认定工作方案 (柳东新区管委会办公室, 2022-06-17), 四、工作步骤 (二):
  the self-evaluation group is made up of the enterprise, department heads, union representatives
  and worker representatives, the union and worker representatives being **no fewer than 2/3**;
  the result is disclosed under 厂务公开 or reported to the workers' congress before submission.
- Same programme, 四、(三): those proposed are publicly noticed online and offline and open to
  objections from anyone.
- 广西壮族自治区劳动关系和谐单位认定办法（试行）(桂人社规〔2018〕4号): the levels, the veto
  catalogue (一票否决) and the scoring form on which the park's form is based.

The constants below name these sources so the messages a refused user sees can cite them.
"""

from django.utils.translation import gettext_lazy as _

SOURCE_PROGRAMME = _("Liudong harmony certification programme (2022), part 4 (2)")
SOURCE_NOTICE = _("Liudong harmony certification programme (2022), part 4 (3)")
SOURCE_RULE_SET = _("certification rule set %(name)s")

#: Evidence files: what HR may upload and how large.
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
