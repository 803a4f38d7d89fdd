"""The tax-benefit system: our entity, our variables, and our parameter directory as it is."""

from pathlib import Path

from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from openfisca_yiyang import variables
from openfisca_yiyang.entities import entities

PARAMETERS_DIR = Path(__file__).resolve().parents[2] / "yiyang" / "benefits" / "data" / "parameters"


class YiyangTaxBenefitSystem(TaxBenefitSystem):
    def __init__(self) -> None:
        super().__init__(entities)
        for variable in variables.ALL:
            self.add_variable(variable)
        # The same files yiyang.benefits.policy reads (benefits/*.yaml → parameters.benefits.*).
        self.load_parameters(str(PARAMETERS_DIR))
