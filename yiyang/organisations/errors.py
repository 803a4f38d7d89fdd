from yiyang.core.errors import NotFound


class OrganisationNotFound(NotFound):
    title = "机构不存在"


class BedNotFound(NotFound):
    title = "床位不存在"


class AdmissionNotFound(NotFound):
    title = "入住记录不存在"
