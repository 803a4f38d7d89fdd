"""Number grouping for Simplified Chinese pages. Django's zh_Hans locale groups by four digits with
no separator, so a count of 20000 would read "20000"; statistical tables in mainland China group
by thousands with a comma ("20,000"). Only the grouping is overridden: every other format falls
back to Django's zh_Hans module. Grouping is applied where a template asks for it (`intcomma`,
`floatformat:"g"`), never globally, so ids in URLs and attributes stay ungrouped."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
