"""Inputs and the formula of the resident subsidy, for one month.

The month's counted days (in a licensed institution, on the roll, registered in the district, inside
the entitlement) are inputs, split at the elder's ability-level change when there is one in the month
(at most one in the bench's data): `days_counted` at `ability_level`, then
`days_counted_after_change` at `ability_level_after_change`. The amount is, in integer fen,

    round_half_up((standard[status][level] × days + standard[status][level_after] × days_after)
                  ÷ days_in_month)

which is what `rules.resident_compute` computes from its day grid when the status is constant over
the month and the standard does not change inside it (rounded once, over the whole month).
"""

import numpy
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from openfisca_yiyang.entities import Person


class EconomicStatus(Enum):
    # Same order as yiyang.benefits.rules.ECONOMIC_KEYS (index = our code); names = parameter keys.
    tekun = "特困"
    dibao = "低保"
    low_income = "低收入"
    ordinary = "普通"


class AbilityLevel(Enum):
    # GB/T 42195-2022 final levels 0–4 (index = level); names = parameter keys.
    level_0 = "能力完好"
    level_1 = "能力轻度受损"
    level_2 = "能力中度受损"
    level_3 = "能力重度受损"
    level_4 = "能力完全丧失"


class economic_status(Variable):
    value_type = Enum
    possible_values = EconomicStatus
    default_value = EconomicStatus.ordinary
    entity = Person
    definition_period = DateUnit.MONTH
    label = "家庭经济状况"


class ability_level(Variable):
    value_type = Enum
    possible_values = AbilityLevel
    default_value = AbilityLevel.level_0
    entity = Person
    definition_period = DateUnit.MONTH
    label = "老年人能力等级（月初或首个计算日）"


class ability_level_after_change(Variable):
    value_type = Enum
    possible_values = AbilityLevel
    default_value = AbilityLevel.level_0
    entity = Person
    definition_period = DateUnit.MONTH
    label = "月内变更后的老年人能力等级"


class days_counted(Variable):
    value_type = int
    entity = Person
    definition_period = DateUnit.MONTH
    label = "按 ability_level 计发的天数"


class days_counted_after_change(Variable):
    value_type = int
    entity = Person
    definition_period = DateUnit.MONTH
    label = "按 ability_level_after_change 计发的天数"


class days_in_month(Variable):
    value_type = int
    entity = Person
    definition_period = DateUnit.MONTH
    label = "当月天数"

    def formula(person, period, parameters):
        return numpy.full(person.count, period.size_in_days, dtype=numpy.int32)


class resident_care_subsidy(Variable):
    value_type = int
    entity = Person
    definition_period = DateUnit.MONTH
    label = "入住机构养老服务补贴（分）"
    reference = "yiyang/benefits/data/parameters/benefits/resident_care_subsidy.yaml"

    def formula(person, period, parameters):
        monthly = parameters(period.first_day).benefits.resident_care_subsidy.monthly
        status = person("economic_status", period)
        by_status = monthly[status]  # fancy indexing: one status node per person
        standard = by_status[person("ability_level", period)]
        standard_after = by_status[person("ability_level_after_change", period)]
        numerator = fen(standard) * person("days_counted", period) + fen(standard_after) * person(
            "days_counted_after_change", period
        )
        denominator = person("days_in_month", period).astype(numpy.int64)
        return (2 * numerator + denominator) // (2 * denominator)  # half up (amounts are ≥ 0)


def fen(yuan):
    """Yuan (at most two places, as the YAML holds them) to integer fen."""
    return numpy.round(numpy.asarray(yuan, dtype=numpy.float64) * 100).astype(numpy.int64)


ALL = [
    economic_status,
    ability_level,
    ability_level_after_change,
    days_counted,
    days_counted_after_change,
    days_in_month,
    resident_care_subsidy,
]
