from yiyang.core.errors import NotFound


class AreaNotFound(NotFound):
    title = "行政区域不存在"
