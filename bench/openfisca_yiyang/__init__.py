"""The resident institutional-care subsidy (入住机构养老服务补贴) as a minimal OpenFisca country package.

Bench only (`pip install -e '.[bench]'`): it exists so that bench/benefits.py can compute the same
matrix with OpenFisca on the same people as `yiyang.benefits.rules.resident_compute` and compare
amounts and time. It reads OUR parameter directory (yiyang/benefits/data/parameters) unchanged:
OpenFisca loads those files as they are, so both engines read the same YAML.

    from openfisca_yiyang import YiyangTaxBenefitSystem
    system = YiyangTaxBenefitSystem()
    system.parameters("2026-11-01").benefits.resident_care_subsidy.monthly.dibao.level_2  # 900
"""

from openfisca_yiyang.system import PARAMETERS_DIR, YiyangTaxBenefitSystem
from openfisca_yiyang.variables import AbilityLevel, EconomicStatus

__all__ = ["PARAMETERS_DIR", "AbilityLevel", "EconomicStatus", "YiyangTaxBenefitSystem"]
