from yiyang.core.errors import NotFound


class ElderNotFound(NotFound):
    title = "老年人档案不存在"


class HomeNotFound(NotFound):
    title = "家庭不存在"
