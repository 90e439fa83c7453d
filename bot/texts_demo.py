"""The demo's own texts (`python -m bot demo`), in Russian and English."""

from __future__ import annotations

RU: dict[str, str] = {
    "demo.mark": "🎭 <b>Демо</b> · Маркет не затрагивается",
    "demo.mark_ozon": "🎭 <b>Демо</b> · Маркет и Ozon не затрагиваются",
    "demo.popup_mark": "🎭 Демо: ",
    "demo.help": (
        "🎭 <b>Это демо.</b> Заказы и покупатели выдуманы, решения уходят в симулятор, а не"
        " в Маркет. Время сжато в 60 раз: на ответ 48 минут вместо 48 часов, напоминания"
        " за {leads}. Новый запрос приходит каждые {interval}."
    ),
    "demo.help_ozon": (
        " Запросы Ozon тоже выдуманы, решения по ним уходят в симулятор Ozon; Ozon не называет"
        " срока на ответ, и демо даёт те же 48 минут."
    ),
}

EN: dict[str, str] = {
    "demo.mark": "🎭 <b>Demo</b> · the Market is not touched",
    "demo.mark_ozon": "🎭 <b>Demo</b> · neither the Market nor Ozon is touched",
    "demo.popup_mark": "🎭 Demo: ",
    "demo.help": (
        "🎭 <b>This is a demo.</b> Orders and buyers are made up, decisions go to a simulator,"
        " not to the Market. Time runs 60 times faster: 48 minutes to answer instead of"
        " 48 hours, reminders {leads} before. A new request comes every {interval}."
    ),
    "demo.help_ozon": (
        " Ozon's requests are made up too and decided in an Ozon simulator; Ozon states no"
        " time to answer, so the demo gives the same 48 minutes."
    ),
}
