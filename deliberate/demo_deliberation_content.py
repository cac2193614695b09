"""Demo content for Deliberate: a commissioning cycle in the `deliberation` stage.

Pure data for the demo loader: support for unpaid carers in Pembrokeshire, commissioned by Hywel
Dda University Health Board. The people, proposals and posts are invented; the organisations,
hospitals, towns and villages are real.

- `VOLUNTEERS` is the recruitment pool of 40. The first 16 (indexes 0–15) are the drawn panel and
  meet every quota in `CYCLE["panel"]` exactly.
- A proposal's `author` and `supporters` index `VOLUNTEERS`.
- `THREADS` holds one thread per shortlisted proposal plus two general threads. A thread's
  `proposal` indexes `CYCLE["proposals"]`; a post's `author` indexes `VOLUNTEERS` (always a panel
  member, 0–15) or is "facilitator"; `reply_to` indexes an earlier post in the same thread. One
  post carries `hide_reason`: the demo shows it hidden by the facilitator.

Run this file to check the data: `python deliberate/demo_deliberation_content.py`.
"""

from __future__ import annotations

from typing import Any

FACILITATOR = "facilitator"

# (name, language, group, age band, area). Indexes 0–15 are the panel.
_PEOPLE: list[tuple[str, str, str, str, str]] = [
    # The panel
    ("Catrin Morgan", "cy", "carer", "35-54", "north"),  # 0: cares for her father, Crymych
    ("Gareth Phillips", "en", "carer", "55-74", "south"),  # 1: cares for his wife, Pembroke Dock
    ("Megan Lewis", "en", "carer", "16-34", "west"),  # 2: young adult carer, Milford Haven
    ("Dafydd Vaughan", "cy", "uses_services", "55-74", "north"),  # 3: Parkinson's, Fishguard
    ("Julie Harries", "en", "practitioner", "35-54", "south"),  # 4: district nurse, Tenby
    ("Eirlys Jones", "cy", "carer", "75+", "north"),  # 5: cares for her husband, near St Davids
    ("Paul Mathias", "en", "resident", "35-54", "west"),  # 6: works at the port, Johnston
    ("Sioned Llewellyn", "cy", "practitioner", "16-34", "north"),  # 7: carers' support worker
    ("Karen Thomas", "en", "carer", "35-54", "south"),  # 8: working carer, Narberth
    ("Ryan Davies", "en", "uses_services", "16-34", "south"),  # 9: wheelchair user, Pembroke
    ("Mair Gwyther", "cy", "resident", "55-74", "north"),  # 10: village hall and chapel, Crymych
    ("Alan Scourfield", "en", "carer", "55-74", "west"),  # 11: cares for his son, Haverfordwest
    ("Bethan Rowlands", "cy", "practitioner", "55-74", "west"),  # 12: GP practice manager
    ("Lisa Bowen", "en", "resident", "16-34", "west"),  # 13: leisure centre, Milford Haven
    ("Emyr Beynon", "cy", "uses_services", "75+", "north"),  # 14: sight loss, Newport
    ("Tracey John", "en", "carer", "35-54", "south"),  # 15: cares for her mother, Pembroke Dock
    # The rest of the pool
    ("Rhodri Howells", "cy", "carer", "35-54", "north"),  # 16
    ("Sandra Beddoe", "en", "carer", "55-74", "south"),  # 17
    ("Nerys Picton", "cy", "practitioner", "35-54", "west"),  # 18
    ("Kevin Brace", "en", "uses_services", "55-74", "south"),  # 19
    ("Angharad Williams", "cy", "carer", "16-34", "north"),  # 20
    ("Steve Morris", "en", "resident", "35-54", "south"),  # 21
    ("Donna Reynolds", "en", "carer", "35-54", "west"),  # 22
    ("Elfed James", "cy", "resident", "75+", "north"),  # 23
    ("Rachel Summers", "en", "practitioner", "35-54", "south"),  # 24
    ("Tomos Harry", "cy", "uses_services", "16-34", "north"),  # 25
    ("Jean Cole", "en", "carer", "75+", "south"),  # 26
    ("Hannah Meyrick", "en", "carer", "16-34", "west"),  # 27
    ("Gethin Daniel", "cy", "practitioner", "16-34", "north"),  # 28
    ("Marion Skyrme", "en", "resident", "55-74", "west"),  # 29
    ("Ffion Edwards", "cy", "carer", "35-54", "west"),  # 30
    ("Colin Absalom", "en", "carer", "75+", "west"),  # 31
    ("Deborah Lynch", "en", "uses_services", "35-54", "west"),  # 32
    ("Llinos Jenkin", "cy", "resident", "35-54", "north"),  # 33
    ("Mike Thornton", "en", "practitioner", "55-74", "south"),  # 34
    ("Wendy Perkins", "en", "carer", "55-74", "north"),  # 35
    ("Aled Nicholas", "cy", "uses_services", "35-54", "west"),  # 36
    ("Sharon Gibby", "en", "resident", "16-34", "south"),  # 37
    ("Peter Lort", "en", "carer", "55-74", "west"),  # 38
    ("Glenys Protheroe", "en", "uses_services", "75+", "south"),  # 39
]

VOLUNTEERS: list[dict[str, Any]] = [
    {
        "email": f"carer{number:02d}@demo.deliberate.cymru",
        "name": name,
        "language": language,
        "group": group,
        "features": {"age_band": age_band, "area": area, "group": group},
    }
    for number, (name, language, group, age_band, area) in enumerate(_PEOPLE, start=1)
]

PANEL_SIZE = 16

_PROPOSALS: list[dict[str, Any]] = [
    # 0
    {
        "title": "Short breaks you can book months ahead, close to home",
        "body": (
            "My wife Sue had a stroke four years ago. I look after her full-time in "
            "Pembroke Dock, and I'm 68. Last year I was offered a week's respite with "
            "three days' notice, in a care home over in Carmarthenshire she'd never "
            "seen. She hated it and I spent the week worrying, so neither of us had a "
            "break.\n\n"
            "What would help carers like me:\n\n"
            "- breaks we can book three to six months ahead, so we can actually plan "
            "something\n"
            "- the same place and, where possible, the same staff each time\n"
            "- somewhere in Pembrokeshire, not an hour's drive away\n"
            "- a choice of a few days at a time, not only a full week\n\n"
            "A break only works if the person you care for is happy too."
        ),
        "language": "en",
        "category": "breaks",
        "estimated_cost": 380_000,
        "assets": [
            ("people", "Sue's sister in Tenby would help with the first few stays"),
            (
                "skill",
                "I was a project planner at one of the Haven refineries for 30 years",
            ),
        ],
        "author": 1,
        "supporters": [0, 2, 3, 5, 8, 11, 15, 16, 17, 19, 20],
        "answer": (
            "taken_forward",
            (
                "Shortlisted for the citizens' panel. Carers told us that respite offered "
                "at short notice, far from home, often goes unused. The panel will look at "
                "how planned breaks could be booked ahead and shared fairly across the "
                "county."
            ),
        ),
    },
    # 1
    {
        "title": "Gofal seibiant yn y cartref drwy gyfrwng y Gymraeg",
        "body": (
            "Rwy'n 78 oed ac yn gofalu am fy ngŵr, Glyn, sydd â dementia. Rydyn ni'n "
            "byw ger Tyddewi. Cymraeg oedd iaith ei blentyndod, ac wrth i'r dementia "
            "waethygu mae e wedi colli llawer o'i Saesneg.\n\n"
            "Pan ddaw gofalwr i eistedd gydag e er mwyn i fi gael mynd i'r siop neu i'r "
            "capel, dydy e ddim yn deall beth maen nhw'n ei ddweud. Mae e'n mynd yn "
            "ofidus, a dydw i ddim yn gallu ymlacio.\n\n"
            "Hoffwn weld:\n\n"
            "- gwasanaeth eistedd a gofal seibiant yn y cartref gan staff sy'n siarad "
            "Cymraeg\n"
            "- yr un wynebau bob tro, er mwyn i Glyn ddod i'w hadnabod\n"
            "- iaith pob person yn cael ei chofnodi o'r dechrau\n\n"
            "I bobl â dementia, nid mater o ddewis yw iaith gyntaf. Mae'n fater o ddeall "
            "a chael eich deall."
        ),
        "language": "cy",
        "category": "breaks",
        "estimated_cost": 140_000,
        "assets": [
            (
                "group",
                "Mae aelodau'r capel yn Nhyddewi yn barod i gynnig cwmni am awr neu ddwy",
            ),
            ("skill", "Rwy'n gyn-athrawes a gallwn helpu i wirio taflenni gwybodaeth Cymraeg"),
        ],
        "author": 5,
        "supporters": [0, 3, 7, 10, 12, 14, 16, 18, 20],
        "answer": (
            "taken_forward",
            (
                "Shortlisted for the citizens' panel. Under 'More than just words', care "
                "services should offer Welsh without people having to ask, and this "
                "matters most for people living with dementia. The panel will look at how "
                "to make this work across the county."
            ),
        ),
    },
    # 2
    {
        "title": "Carers treated as partners when someone leaves hospital",
        "body": (
            "My son Rhys is 34. He has a learning disability and epilepsy, and lives "
            "with me in Haverfordwest. When he was in Withybush last winter after a bad "
            "run of seizures, he was sent home at eight o'clock on a Friday evening with "
            "new medication. Nobody asked me whether I could manage, and nobody "
            "explained the new tablets. I found out what they were for from the leaflet "
            "in the box.\n\n"
            "I'd like:\n\n"
            "- a carers' support worker based at Withybush, who meets carers before "
            "discharge\n"
            "- carers asked, and listened to, as part of every discharge plan\n"
            "- a phone number that answers in the first few days at home, including "
            "weekends\n\n"
            "Families take over the care the minute the ambulance leaves. We should be "
            "part of the plan."
        ),
        "language": "en",
        "category": "health",
        "estimated_cost": 95_000,
        "assets": [
            (
                "group",
                "The parents' group at Rhys's day centre has similar stories and would "
                "help test any plan",
            ),
        ],
        "author": 11,
        "supporters": [1, 4, 5, 8, 12, 15, 17, 19],
        "answer": (
            "taken_forward",
            (
                "Shortlisted for the citizens' panel. Involving carers in hospital "
                "discharge is a priority for the health board and in the Welsh "
                "Government's strategy for unpaid carers. The panel will look at what a "
                "hospital carers' service should offer and where it should be based."
            ),
        ),
    },
    # 3
    {
        "title": "Young carers: someone at school who knows, and breaks of our own",
        "body": (
            "I've helped look after my mum, who has a long-term mental health "
            "condition, and my little brother since I was 12. We live in Milford Haven. "
            "School didn't know until I was in Year 10, when my attendance got so bad "
            "that someone finally asked why.\n\n"
            "What would have made a difference:\n\n"
            "- a named person in every secondary school who understands young carers\n"
            "- a young carers' club in term time, in the towns and online, so you're "
            "not the only one\n"
            "- proper breaks: days out and activities where you get to be a kid\n"
            "- help when you move to college or work, because the caring doesn't stop "
            "at 18\n\n"
            "I'm 19 now. My brother is 13 and starting to do what I did. I don't want "
            "him to wait as long as I did."
        ),
        "language": "en",
        "category": "young_carers",
        "estimated_cost": 85_000,
        "assets": [
            (
                "people",
                "Two friends who were young carers and I could talk at school assemblies",
            ),
            ("skill", "I'm studying youth work at college"),
        ],
        "author": 2,
        "supporters": [0, 6, 7, 8, 13, 16, 18, 20],
        "answer": (
            "taken_forward",
            (
                "Shortlisted for the citizens' panel. Young carers are part of this "
                "commissioning. The panel will look at breaks, peer support and the move "
                "to college or work; support in schools will be discussed with the "
                "council's education service."
            ),
        ),
    },
    # 4
    {
        "title": "Carers' assessments in weeks, not months, and a plan that changes something",
        "body": (
            "I care for my partner, Jason, who has MS. When things got harder last "
            "year, our GP told me I could ask for a carer's needs assessment. I waited "
            "nearly five months. The assessment itself was an hour of questions, and "
            "afterwards I got a letter with some phone numbers. Nothing actually "
            "changed at home.\n\n"
            "I'd like the new service to:\n\n"
            "- offer an assessment within four weeks of asking, sooner in a crisis\n"
            "- start with a conversation about what matters to me, not a form\n"
            "- end with a written plan: what help I'll get, from whom, and when it "
            "will be reviewed\n"
            "- give me one named person to contact\n\n"
            "Carers have a legal right to an assessment in Wales. It should mean "
            "something."
        ),
        "language": "en",
        "category": "information",
        "estimated_cost": 120_000,
        "assets": [],
        "author": 22,
        "supporters": [1, 2, 4, 7, 11, 12, 15, 17, 18],
        "answer": (
            "taken_forward",
            (
                "Shortlisted for the citizens' panel. Waiting times for carers' needs "
                "assessments are a concern across the region. The panel will consider "
                "what a good assessment looks like, who could carry it out and what it "
                "should lead to."
            ),
        ),
    },
    # 5
    {
        "title": "Grwpiau cymorth i ofalwyr ym mhentrefi gogledd y sir",
        "body": (
            "Rwy'n byw yng Nghrymych, yn athrawes ran-amser, ac rwy'n gofalu am fy "
            "nhad, sydd â dementia. Mae'r grŵp gofalwyr agosaf yn Hwlffordd, bron i dri "
            "chwarter awr i ffwrdd yn y car, a does neb i aros gyda Dad tra bydda i "
            "yno.\n\n"
            "Hoffwn weld grwpiau bach yn cwrdd unwaith y mis yn neuaddau pentref y "
            "gogledd, fel Crymych, Maenclochog ac Abergwaun:\n\n"
            "- cyfle i gael paned a sgwrs gyda gofalwyr eraill sy'n deall\n"
            "- gweithgaredd i'r bobl rydyn ni'n gofalu amdanyn nhw yn yr ystafell drws "
            "nesaf\n"
            "- gwybodaeth a chyngor, yn Gymraeg ac yn Saesneg\n"
            "- cydlynydd â thâl i gadw'r cyfan i fynd\n\n"
            "Mae gofalu yng nghefn gwlad yn gallu bod yn unig iawn. Byddai awr neu ddwy "
            "bob mis yn gwneud byd o wahaniaeth."
        ),
        "language": "cy",
        "category": "wellbeing",
        "estimated_cost": 45_000,
        "assets": [
            ("place", "Neuadd y pentref yng Nghrymych, sy'n rhydd ar brynhawn dydd Iau"),
            ("group", "Criw o wirfoddolwyr lleol sy'n barod i wneud te a chroesawu pobl"),
        ],
        "author": 0,
        "supporters": [3, 5, 7, 10, 14, 16, 20],
        "answer": (
            "taken_forward",
            (
                "Shortlisted for the citizens' panel. Isolation was one of the strongest "
                "themes from carers in rural Pembrokeshire. The panel will look at how "
                "local groups could run across the county, with support for the people "
                "who are cared for so that carers can attend."
            ),
        ),
    },
    # 6
    {
        "title": "Support that lets carers keep their jobs",
        "body": (
            "I work full-time in Haverfordwest and I'm the main carer for my son Alfie, "
            "who is 12 and autistic, and more and more for my mum in Narberth. Most "
            "weeks I get at least one call from school asking me to collect Alfie. I've "
            "used all my annual leave by September for the last two years.\n\n"
            "What would help working carers:\n\n"
            "- emergency replacement care that can be arranged within hours, not days\n"
            "- respite and sitting at times that fit around work: early mornings, "
            "evenings, Saturdays\n"
            "- help for local employers to become carer-friendly, starting with the "
            "health board and the council\n"
            "- plain-language advice on flexible working and carer's leave\n\n"
            "If I give up work, we lose our income and I lose the one part of my life "
            "that isn't caring."
        ),
        "language": "en",
        "category": "work_money",
        "estimated_cost": 60_000,
        "assets": [
            ("people", "My manager has offered to talk to other employers about what works"),
        ],
        "author": 8,
        "supporters": [0, 1, 6, 13, 15, 16, 19],
        "answer": (
            "taken_forward",
            (
                "Shortlisted for the citizens' panel. Many carers in Pembrokeshire combine "
                "caring with paid work. The panel will look at emergency and flexible "
                "replacement care, and at how public-sector employers can lead by example."
            ),
        ),
    },
    # 7
    {
        "title": "Tablets and patient help for older carers to get online",
        "body": (
            "I'm a retired librarian and I volunteer at digital drop-in sessions in "
            "Haverfordwest. Every week older carers come in because they've been told "
            'to "do it online": order prescriptions, book a GP appointment, fill in a '
            "benefits form. Many have never used a tablet, and some don't have "
            "broadband at all.\n\n"
            "I'd like:\n\n"
            "- a loan scheme for tablets with data included, for carers who need one\n"
            "- a volunteer who visits at home, at the carer's pace, in Welsh or English\n"
            "- help with the NHS Wales App and repeat prescriptions first, because that "
            "saves real time\n\n"
            "Online support groups and information are only useful to people who can "
            "get online."
        ),
        "language": "en",
        "category": "information",
        "estimated_cost": 30_000,
        "assets": [
            ("skill", "Five library volunteers already trained to help beginners"),
            ("place", "A quiet room at the library with free Wi-Fi"),
        ],
        "author": 29,
        "supporters": [3, 10, 14, 19],
        "answer": None,
    },
    # 8
    {
        "title": "A carers' centre building in Haverfordwest",
        "body": (
            "I'm 79 and I care for my wife, who has Alzheimer's. We've lived in "
            "Haverfordwest all our lives. What I'd like more than anything is a place "
            "to go: a proper carers' centre in the middle of town, with a café, rooms "
            "for groups, someone to give advice, and a quiet room with a sofa for when "
            "you've had enough.\n\n"
            "Everything at the moment is a phone number or a website. A building "
            "would:\n\n"
            "- make carers visible in the town\n"
            "- let groups, advice services and carers' organisations work from one "
            "place\n"
            "- give people somewhere to drop in, without an appointment\n\n"
            "There are empty shops on the High Street and in Riverside that could be "
            "used."
        ),
        "language": "en",
        "category": "wellbeing",
        "estimated_cost": 450_000,
        "assets": [
            ("people", "Members of my old bowls club have said they would help run a café"),
        ],
        "author": 31,
        "supporters": [6, 11, 13, 17],
        "answer": (
            "not_taken_forward",
            (
                "Thank you. Buying or fitting out a building is a capital cost, so it "
                "cannot be paid for from this yearly budget for carers' services. We have "
                "passed your proposal to the West Wales Care Partnership, which looks at "
                "capital funding for community hubs. The shortlisted proposal on local "
                "carers' groups will consider whether a regular drop-in in Haverfordwest "
                "could be part of it."
            ),
        ),
    },
    # 9
    {
        "title": "Cofrestr gofalwyr sy'n gweithio ym mhob meddygfa",
        "body": (
            "Rwy'n ffermio ger Eglwyswrw ac yn gofalu am fy mam, sydd â chlefyd yr "
            "ysgyfaint ac sy'n colli ei golwg. Dywedais wrth y feddygfa fy mod i'n "
            "ofalwr dair blynedd yn ôl, ac maen nhw wedi fy rhoi ar y gofrestr "
            "gofalwyr. Ond dydw i ddim yn siŵr beth mae hynny'n ei olygu yn "
            "ymarferol.\n\n"
            "Byddai cofrestr sy'n gweithio'n iawn yn golygu:\n\n"
            "- apwyntiadau hyblyg, fel nad oes rhaid i fi adael Mam am oriau\n"
            "- brechlyn ffliw ac archwiliad iechyd i'r gofalwr hefyd\n"
            "- atgyfeiriad at y ganolfan gofalwyr heb orfod gofyn\n"
            "- nodyn ar gofnod Mam, fel bod yr ysbyty yn gwybod pwy i'w ffonio\n\n"
            "Mae'r gofrestr yn bodoli'n barod. Y cyfan sydd ei angen yw gwneud iddi "
            "weithio."
        ),
        "language": "cy",
        "category": "health",
        "estimated_cost": None,
        "assets": [],
        "author": 16,
        "supporters": [0, 5, 10, 12, 14, 20],
        "answer": None,
    },
]

_PANEL: dict[str, Any] = {
    "size": PANEL_SIZE,
    "attributes": [
        {
            "key": "age_band",
            "name_en": "Age",
            "name_cy": "Oedran",
            "values": [
                {"key": "16-34", "name_en": "16 to 34", "name_cy": "16 i 34", "min": 3, "max": 6},
                {"key": "35-54", "name_en": "35 to 54", "name_cy": "35 i 54", "min": 4, "max": 7},
                {"key": "55-74", "name_en": "55 to 74", "name_cy": "55 i 74", "min": 4, "max": 7},
                {
                    "key": "75+",
                    "name_en": "75 or over",
                    "name_cy": "75 neu'n hŷn",
                    "min": 1,
                    "max": 3,
                },
            ],
        },
        {
            "key": "area",
            "name_en": "Where you live",
            "name_cy": "Ble rydych chi'n byw",
            "values": [
                {
                    "key": "north",
                    "name_en": "North Pembrokeshire (including Fishguard, St Davids and Crymych)",
                    "name_cy": "Gogledd Sir Benfro (gan gynnwys Abergwaun, Tyddewi a Chrymych)",
                    "min": 4,
                    "max": 7,
                },
                {
                    "key": "west",
                    "name_en": "Haverfordwest, Milford Haven and the west",
                    "name_cy": "Hwlffordd, Aberdaugleddau a'r gorllewin",
                    "min": 4,
                    "max": 7,
                },
                {
                    "key": "south",
                    "name_en": "South Pembrokeshire (including Pembroke Dock, Tenby and Narberth)",
                    "name_cy": (
                        "De Sir Benfro (gan gynnwys Doc Penfro, Dinbych-y-pysgod ac Arberth)"
                    ),
                    "min": 4,
                    "max": 7,
                },
            ],
        },
        {
            "key": "group",
            "name_en": "Your connection to caring",
            "name_cy": "Eich cysylltiad â gofalu",
            "values": [
                {
                    "key": "uses_services",
                    "name_en": "Someone who is cared for",
                    "name_cy": "Rhywun sy'n derbyn gofal",
                    "min": 2,
                    "max": 4,
                },
                {
                    "key": "carer",
                    "name_en": "An unpaid carer",
                    "name_cy": "Gofalwr di-dâl",
                    "min": 6,
                    "max": 9,
                },
                {
                    "key": "practitioner",
                    "name_en": "A health, care or support worker",
                    "name_cy": "Gweithiwr iechyd, gofal neu gymorth",
                    "min": 2,
                    "max": 4,
                },
                {
                    "key": "resident",
                    "name_en": "A resident of Pembrokeshire",
                    "name_cy": "Un o drigolion Sir Benfro",
                    "min": 2,
                    "max": 4,
                },
            ],
        },
    ],
    # Published a week before the draw; anyone can re-run the selection with it.
    "seed": "Pembrokeshire carers panel 2027 | Lotto draw of Sat 7 Nov 2026: 04 11 19 27 38 45",
}

# A cycle in the `deliberation` stage: the panel has been drawn and is discussing the shortlist.
CYCLE: dict[str, Any] = {
    "slug": "unpaid-carers-pembrokeshire-2027",
    "organisation": "hywel-dda",
    "stage": "deliberation",
    "title_en": "Support for unpaid carers, Pembrokeshire 2027–2030",
    "title_cy": "Cymorth i ofalwyr di-dâl, Sir Benfro 2027–2030",
    "summary_en": (
        "Hywel Dda University Health Board and Pembrokeshire County Council, working "
        "together through the West Wales Care Partnership, are planning support for "
        "unpaid carers in Pembrokeshire from April 2027. Unpaid carers look after a "
        "family member, partner or friend who could not manage without them, often for "
        "many hours a week and often alone. Carers of all ages told us what matters to "
        "them in the proposals stage. A citizens' panel of 16 people, chosen by lot, is "
        "now deliberating on the shortlist: short breaks, carers' assessments, hospital "
        "discharge, young carers, working carers, care in Welsh and local peer support. "
        "Its conclusions will shape the service specification."
    ),
    "summary_cy": (
        "Mae Bwrdd Iechyd Prifysgol Hywel Dda a Chyngor Sir Penfro, gan weithio gyda'i "
        "gilydd drwy Bartneriaeth Gofal Gorllewin Cymru, yn cynllunio cymorth i ofalwyr "
        "di-dâl yn Sir Benfro o fis Ebrill 2027 ymlaen. Mae gofalwyr di-dâl yn gofalu am "
        "aelod o'r teulu, partner neu ffrind na fyddai'n gallu ymdopi hebddyn nhw, yn aml "
        "am oriau lawer bob wythnos ac yn aml ar eu pen eu hunain. Yn ystod cam y "
        "cynigion, dywedodd gofalwyr o bob oed wrthym beth sy'n bwysig iddyn nhw. Mae "
        "panel dinasyddion o 16 o bobl, a ddewiswyd ar hap, bellach yn trafod y rhestr "
        "fer: seibiant byr, asesiadau gofalwyr, rhyddhau o'r ysbyty, gofalwyr ifanc, "
        "gofalwyr sy'n gweithio, gofal yn Gymraeg a chymorth gan gymheiriaid yn lleol. "
        "Bydd casgliadau'r panel yn llywio manyleb y gwasanaeth."
    ),
    "easy_read_en": (
        "Unpaid carers look after someone in their family, or a friend.\n"
        "They do not get paid for this.\n"
        "The health board and the council pay for support for carers.\n"
        "This costs about £1.2 million each year.\n"
        "We are planning this support for 2027 to 2030.\n"
        "People sent us their ideas.\n"
        "16 local people were chosen at random, like a raffle. We call them the panel.\n"
        "The panel is talking about the best ideas now.\n"
        "Then everyone can vote.\n"
        "Then the panel will help write the plan for the new support."
    ),
    "easy_read_cy": (
        "Mae gofalwyr di-dâl yn gofalu am rywun yn eu teulu, neu am ffrind.\n"
        "Dydyn nhw ddim yn cael eu talu am hyn.\n"
        "Mae'r bwrdd iechyd a'r cyngor yn talu am gymorth i ofalwyr.\n"
        "Mae hyn yn costio tua £1.2 miliwn bob blwyddyn.\n"
        "Rydyn ni'n cynllunio'r cymorth hwn ar gyfer 2027 i 2030.\n"
        "Anfonodd pobl eu syniadau aton ni.\n"
        "Cafodd 16 o bobl leol eu dewis ar hap, fel raffl. Rydyn ni'n eu galw nhw'n banel.\n"
        "Mae'r panel yn siarad am y syniadau gorau nawr.\n"
        "Wedyn bydd pawb yn gallu pleidleisio.\n"
        "Wedyn bydd y panel yn helpu i ysgrifennu'r cynllun ar gyfer y cymorth newydd."
    ),
    "service_area": "social_care",
    "budget": 1_200_000,
    "categories": [
        ("breaks", "Short breaks and respite", "Seibiant byr a gofal seibiant"),
        (
            "information",
            "Information, advice and carers' assessments",
            "Gwybodaeth, cyngor ac asesiadau gofalwyr",
        ),
        (
            "health",
            "Health services and hospital discharge",
            "Gwasanaethau iechyd a rhyddhau o'r ysbyty",
        ),
        ("wellbeing", "Well-being and peer support", "Llesiant a chymorth gan gymheiriaid"),
        (
            "young_carers",
            "Young carers and young adult carers",
            "Gofalwyr ifanc a gofalwyr ifanc sy'n oedolion",
        ),
        ("work_money", "Work, money and everyday life", "Gwaith, arian a bywyd bob dydd"),
    ],
    "groups": [
        ("uses_services", "People who are cared for", "Pobl sy'n derbyn gofal", 0.2),
        ("carer", "Unpaid carers", "Gofalwyr di-dâl", 0.45),
        (
            "practitioner",
            "Health, care and support workers",
            "Gweithwyr iechyd, gofal a chymorth",
            0.15,
        ),
        ("resident", "Residents of Pembrokeshire", "Trigolion Sir Benfro", 0.2),
    ],
    "support_limit": 10,
    "proposals": _PROPOSALS,
    "panel": _PANEL,
    "seed": _PANEL["seed"],
}


def _post(
    author: int | str,
    stance: str,
    body: str,
    *,
    language: str = "en",
    reply_to: int | None = None,
    reactions: tuple[int, int, int] = (0, 0, 0),
    hide_reason: str | None = None,
) -> dict[str, Any]:
    """One post. `reactions` is (agree, thanks, insightful)."""
    post: dict[str, Any] = {
        "author": author,
        "body": body,
        "language": language,
        "stance": stance,
        "reply_to": reply_to,
        "reactions": dict(zip(("agree", "thanks", "insightful"), reactions, strict=True)),
    }
    if hide_reason:
        post["hide_reason"] = hide_reason
    return post


# Panel members, by index into VOLUNTEERS.
CATRIN, GARETH, MEGAN, DAFYDD, JULIE, EIRLYS, PAUL, SIONED = range(8)
KAREN, RYAN, MAIR, ALAN, BETHAN, LISA, EMYR, TRACEY = range(8, 16)

_SHORT_BREAKS_POSTS = [
    # 0
    _post(
        FACILITATOR,
        "neutral",
        "Croeso, and welcome to the thread on planned short breaks. Gareth's proposal "
        "asks for breaks that carers can book months ahead, in the same place each time, "
        "here in Pembrokeshire. Three questions to get us started:\n\n"
        "1. What makes a break a real rest, for you and for the person you care for?\n"
        "2. What would help you trust the care while you're away?\n"
        "3. With a limited budget, is it better to offer fewer long breaks or more short "
        "ones?",
        reactions=(0, 4, 0),
    ),
    # 1
    _post(
        GARETH,
        "supports",
        "To add a bit to what I wrote. Sue and I have been married 44 years. The one week "
        "of respite we had last year cost me more sleep than it saved, because I knew she "
        "was miserable and confused somewhere she didn't know. If I could book the same "
        "place in Tenby or Pembroke every few months, she'd get to know the staff and so "
        "would I. That's what trust is, really: knowing the faces.",
        reactions=(6, 2, 1),
    ),
    # 2
    _post(
        EIRLYS,
        "supports",
        "Rwy'n cytuno'n llwyr, Gareth. Mae Glyn yr un fath. Mae lle newydd yn ei "
        "ddrysu am ddyddiau, a phan ddaw e adre mae'n cymryd wythnos iddo setlo eto. Yr "
        "un lle a'r un wynebau: dyna'r peth pwysicaf i ni hefyd.",
        language="cy",
        reply_to=1,
        reactions=(4, 1, 0),
    ),
    # 3
    _post(
        JULIE,
        "concerns",
        "I support the idea, but I want to be honest about capacity. There are very few "
        "respite beds in the county, and care homes understandably fill their rooms with "
        "long-term residents. To book ahead, the service would have to pay to keep a small "
        "number of beds or flats free all year, including weeks when nobody uses them. "
        "That's doable, but it isn't cheap, and that money couldn't be spent elsewhere.",
        reactions=(5, 0, 4),
    ),
    # 4
    _post(
        GARETH,
        "question",
        "That's fair, @Julie, and I'd rather hear it now. What happens when a booking is "
        "cancelled because Sue is poorly? Could that bed go to someone who needs emergency "
        "cover that week, so it isn't wasted?",
        reply_to=3,
        reactions=(3, 0, 2),
    ),
    # 5
    _post(
        JULIE,
        "neutral",
        "Yes, some areas do exactly that: a small number of planned-break places, with a "
        "waiting list for short-notice and emergency use when a booking falls through. It "
        "makes the cost of an empty bed much easier to justify. I'd want the carer who "
        "cancelled not to lose their place in the queue, though.",
        reply_to=4,
        reactions=(4, 1, 3),
    ),
    # 6
    _post(
        RYAN,
        "concerns",
        "I'm the one who gets 'sent' to respite, so here's the other side. I'm 31 and use "
        "a wheelchair after an accident. The only respite offered near me in Pembroke was "
        "a care home where everyone else was over 80. I know it's meant to be a break for "
        "Mum, but she won't go anywhere if I'm unhappy. A break that works for me might be "
        "a weekend away with a PA, or a trip with friends with support.",
        reactions=(8, 2, 5),
    ),
    # 7
    _post(
        MEGAN,
        "supports",
        "This, exactly. Mum would never agree to go anywhere she felt she was being 'put "
        "away', even for a few days. If it felt like a holiday for her, it would be a "
        "break for all of us.",
        reply_to=6,
        reactions=(5, 0, 0),
    ),
    # 8
    _post(
        CATRIN,
        "question",
        "Cwestiwn gen i. Dydw i ddim eisiau wythnos i ffwrdd mewn gwirionedd: fyddwn i "
        "ddim yn gallu ymlacio. Byddai prynhawn rhydd bob wythnos, yr un diwrnod bob tro, "
        "yn gwneud mwy o les i fi. A ddylai'r arian gynnwys seibiannau byr, rheolaidd yn "
        "ystod y dydd, yn ogystal â seibiannau dros nos?",
        language="cy",
        reactions=(6, 0, 2),
    ),
    # 9
    _post(
        LISA,
        "supports",
        "Following on from @Ryan's point. My family run holiday cottages near "
        "Saundersfoot, and from November to March a lot of lets round there sit empty. "
        "Could the service rent a few off-season for breaks where the carer and the "
        "person they care for go away together, with support staff calling in? Owners "
        "would welcome the income, and it would feel like a holiday rather than a "
        "placement.",
        reply_to=6,
        reactions=(5, 1, 4),
    ),
    # 10
    _post(
        PAUL,
        "question",
        "Good idea, but how many of those cottages are actually accessible? My sister's "
        "let in Little Haven has a step at the front and the only bathroom is upstairs. "
        "If someone needs a hoist and a level-access shower, that rules out most of them. "
        "Would the budget stretch to adapting one or two properties?",
        reply_to=9,
        reactions=(3, 0, 2),
    ),
    # 11
    _post(
        GARETH,
        "concerns",
        "We tried a cottage near Freshwater East the summer before last that was "
        "advertised as accessible. The shower had a lip on it and the doors were too "
        "narrow for the wheelchair. We came home after one night. Somebody who knows what "
        "accessible really means would need to check them first.",
        reply_to=10,
        reactions=(4, 0, 1),
    ),
    # 12
    _post(
        FACILITATOR,
        "neutral",
        "Thank you, all. A short summary so far: there's strong agreement that breaks "
        "should be booked ahead, close to home and with familiar staff, and that they "
        "have to be a good experience for the person who is cared for as well. @Julie "
        "raised the cost of keeping places free; a waiting list for cancelled places was "
        "suggested. @Catrin asked whether regular daytime breaks should count too. Those "
        "of you who work shifts or full-time: what kind of break would suit you?",
        reactions=(2, 3, 0),
    ),
    # 13
    _post(
        TRACEY,
        "supports",
        "I work shifts at the supermarket in Pembroke Dock, so a full week is almost "
        "impossible to arrange. I'd take four long weekends a year over one week, every "
        "time. And something like Catrin's weekly afternoon, but on my day off rather "
        "than a fixed day.",
        reply_to=12,
        reactions=(5, 0, 1),
    ),
]

_WELSH_CARE_POSTS = [
    # 0
    _post(
        EIRLYS,
        "supports",
        "Diolch am roi'r cynnig hwn ar y rhestr fer. Ddoe daeth gofalwr newydd i eistedd "
        "gyda Glyn am ddwy awr. Merch annwyl iawn, ond doedd hi ddim yn siarad Cymraeg. "
        "Erbyn i fi ddod adre roedd Glyn yn ofidus iawn ac yn chwilio amdana i ym mhob "
        "stafell, achos doedd e ddim yn deall pwy oedd hi. Nid arni hi oedd y bai. Ond "
        "fyddai hyn ddim wedi digwydd yn Gymraeg.",
        language="cy",
        reactions=(7, 2, 1),
    ),
    # 1
    _post(
        EMYR,
        "supports",
        "Rwy'n 81 ac rwy wedi colli llawer o'm golwg. Fy merch sy'n gofalu amdana i. Rwy'n "
        "deall Saesneg yn iawn, ond pan fydda i wedi blino, neu'n sâl, mae'n haws o lawer "
        "siarad Cymraeg. Mae gofyn am help gyda phethau personol yn ddigon anodd heb orfod "
        "gwneud hynny mewn ail iaith.",
        language="cy",
        reactions=(6, 1, 2),
    ),
    # 2
    _post(
        SIONED,
        "concerns",
        "Rwy'n cefnogi'r egwyddor yn llwyr, ond mae'n rhaid bod yn onest am recriwtio. "
        "Yn fy ngwaith i, rydyn ni'n ei chael hi'n anodd iawn dod o hyd i weithwyr gofal "
        "sy'n siarad Cymraeg yng ngogledd y sir. Mae'r cyflog yn isel, mae'r pellteroedd "
        "rhwng ffermydd yn hir, a dydy amser teithio ddim bob amser yn cael ei dalu. Os "
        "ydyn ni eisiau gofal yn Gymraeg, rhaid talu am amser teithio a chynnig "
        "cytundebau sefydlog.",
        language="cy",
        reactions=(6, 0, 5),
    ),
    # 3
    _post(
        DAFYDD,
        "question",
        "Following on from @Sioned. Around Fishguard there are a few people, mostly women "
        "in their fifties and sixties, who already do a few hours' caring for neighbours, "
        "privately and in Welsh. Could the service help people like that to set up "
        "properly, as small local providers, rather than relying on big agencies from "
        "outside the county? What would they need to do to be allowed?",
        reply_to=2,
        reactions=(4, 0, 3),
    ),
    # 4
    _post(
        JULIE,
        "neutral",
        "Good question, @Dafydd. Anyone giving personal care at home as part of a "
        "commissioned service would need to be registered with Care Inspectorate Wales, "
        "or work for a provider that is. Some councils in Wales have helped very small "
        "community enterprises through that process. Sitting and companionship without "
        "personal care is simpler. It's a route worth the commissioners looking at.",
        reply_to=3,
        reactions=(3, 1, 5),
    ),
    # 5
    _post(
        GARETH,
        "concerns",
        "I'll ask the awkward question, and I hope it comes across the right way. Down in "
        "Pembroke Dock, hardly anyone we know speaks Welsh. If a chunk of a limited budget "
        "goes on a Welsh-language service in the north, does that mean less respite for "
        "the south?",
        reactions=(2, 0, 1),
    ),
    # 6
    _post(
        CATRIN,
        "supports",
        "It's a fair question, Gareth, and I'm glad you asked it. I don't read the "
        "proposal as a separate Welsh service, though. It's about making sure that people "
        "who need Welsh actually get it, wherever they live. For someone with dementia, "
        "like Glyn or my dad, their first language isn't a preference. It's the language "
        "they can still understand. There are Welsh speakers needing care in Pembroke "
        "Dock too.",
        reply_to=5,
        reactions=(7, 1, 4),
    ),
    # 7
    _post(
        GARETH,
        "neutral",
        "Put like that, I agree with you. Funnily enough, Sue's grandmother was from "
        "Cardigan, and since the stroke Sue sometimes comes out with Welsh words I've "
        "never heard her use. So I can see it. Thanks for explaining it properly.",
        reply_to=6,
        reactions=(5, 2, 1),
    ),
    # 8
    _post(
        FACILITATOR,
        "neutral",
        "Diolch, pawb. A question to help us turn this into something the specification "
        "could say. Under 'More than just words' (Mwy na Geiriau), services should offer "
        "Welsh without people having to ask for it: the 'Active Offer'. How would you "
        "know, as a carer, that the service was really doing this? What should be "
        "measured or checked?",
        reactions=(1, 2, 0),
    ),
    # 9
    _post(
        BETHAN,
        "supports",
        "O safbwynt y feddygfa: dylai iaith y person gael ei chofnodi ar y gofrestr "
        "gofalwyr ac ar gofnodion yr ysbyty, a dylai'r wybodaeth honno ddilyn y person i'r "
        "gwasanaeth gofal. Ar hyn o bryd mae teuluoedd yn gorfod dweud yr un peth dro ar "
        "ôl tro. Byddwn i'n mesur faint o bobl sy'n gofyn am Gymraeg ac yn ei chael hi.",
        language="cy",
        reply_to=8,
        reactions=(5, 0, 4),
    ),
    # 10
    _post(
        MAIR,
        "supports",
        "Mae llawer o aelodau'r capel a changen leol Merched y Wawr yn barod i gadw cwmni "
        "i rywun am awr neu ddwy yn Gymraeg. Dydyn ni ddim yn ofalwyr, ond rydyn ni'n "
        "gallu gwneud paned, darllen y papur bro neu ganu emyn. Efallai y byddai hynny'n "
        "ddigon i rai gofalwyr gael mynd i'r dre.",
        language="cy",
        reactions=(5, 2, 1),
    ),
    # 11
    _post(
        SIONED,
        "concerns",
        "Syniad hyfryd, Mair, ac mae angen cwmni ar lawer o bobl. Ond byddwn i'n ofalus. "
        "Os oes angen help ar y person i fynd i'r tŷ bach neu gyda'i feddyginiaeth, mae "
        "angen gweithiwr cyflogedig sydd wedi'i hyfforddi. Gallai gwirfoddolwyr ategu'r "
        "gwasanaeth, ond nid cymryd ei le.",
        language="cy",
        reply_to=10,
        reactions=(4, 0, 3),
    ),
]

_HOSPITAL_POSTS = [
    # 0
    _post(
        ALAN,
        "supports",
        "Thanks for shortlisting this. Since I wrote it, Rhys has been in again, briefly. "
        "This time a nurse did ask how I was managing, and it made a real difference, so I "
        "know it can be done. But it depended on who was on shift. It shouldn't be luck. "
        "Every carer should be asked before the discharge date is set, not on the way out "
        "of the door.",
        reactions=(6, 1, 2),
    ),
    # 1
    _post(
        JULIE,
        "supports",
        "I'm a district nurse, so I see the other end of this: people arriving home on a "
        "Friday night with no equipment and a carer who's been told nothing. I'd back a "
        "named carer contact for each ward, and a 'what matters' conversation with the "
        "carer before discharge is agreed, not after. Ward staff want to do this. The "
        "pressure to free up beds often gets in the way.",
        reactions=(7, 1, 3),
    ),
    # 2
    _post(
        ALAN,
        "concerns",
        "With respect, @Julie, we've been hearing about 'pressures' for years. You go home "
        "at the end of your shift. We don't. I'm tired of people who work in the system "
        "making excuses for it on here while families pick up the pieces.",
        reply_to=1,
        reactions=(1, 0, 0),
        hide_reason=(
            "Hidden by the facilitator under ground rule 2 (challenge ideas, not people). "
            "Alan's point about discharges late on Fridays and at weekends is important, "
            "and he has posted it again below."
        ),
    ),
    # 3
    _post(
        FACILITATOR,
        "neutral",
        "I've hidden this post because it's aimed at Julie as a person rather than at the "
        "issue. Alan, I know this comes from hard experience, and the point about what "
        "happens at weekends matters. Please do post it again. Julie is here as a panel "
        "member, like everyone else, not to speak for the health board.",
        reply_to=2,
        reactions=(2, 1, 0),
    ),
    # 4
    _post(
        ALAN,
        "concerns",
        "Apologies, Julie. That was written at midnight after a bad day, and it wasn't "
        "fair on you. What I meant to say: most of the bad discharges we've had were late "
        "on a Friday or at the weekend, when there's no social worker, no GP and nobody at "
        "the carers' centre to ring. Whatever this service is, it has to work at weekends.",
        reply_to=1,
        reactions=(9, 2, 3),
    ),
    # 5
    _post(
        JULIE,
        "supports",
        "No offence taken, Alan, honestly. And you're right about weekends: that's when "
        "things fall apart. A phone line that answers on Saturdays and Sundays, staffed by "
        "someone who can actually arrange something, would help families and community "
        "nurses alike.",
        reply_to=4,
        reactions=(6, 1, 1),
    ),
    # 6
    _post(
        TRACEY,
        "supports",
        "My mum has COPD and has been in Withybush four times since the summer. Every "
        "time, I tell the same story to a new set of people: what she can manage, what "
        "she can't, and that I work shifts. Could there be a carer's note on her hospital "
        "record, so the ward knows about me from the start and I don't have to fight to "
        "be included?",
        reactions=(6, 0, 3),
    ),
    # 7
    _post(
        BETHAN,
        "question",
        "We record carers on our practice register, Tracey, but as far as I know the "
        "hospital can't see that list. Does anyone know whether the health board could "
        "link the GP carer flag to hospital records? That would save a lot of repeating, "
        "and it wouldn't cost much.",
        reply_to=6,
        reactions=(4, 0, 5),
    ),
    # 8
    _post(
        EMYR,
        "concerns",
        "Ces i fy rhyddhau o Withybush ym mis Tachwedd. Doedd neb wedi ffonio fy merch, "
        "ac roedd hi yn ei gwaith yng Nghaerfyrddin. Cyrhaeddais adre mewn tacsi i dŷ "
        "oer, heb fwyd yn y ffrij. Mae'r staff yn garedig iawn, ond rhaid i'r ysbyty "
        "siarad â'r teulu cyn anfon rhywun adre.",
        language="cy",
        reactions=(8, 1, 2),
    ),
    # 9
    _post(
        RYAN,
        "question",
        "A question about who counts. When I came out of hospital after my accident, my "
        "girlfriend at the time did everything, but she'd never have called herself a "
        "carer. Neither would my mum. How would a hospital service find carers who don't "
        "see themselves that way?",
        reactions=(3, 0, 4),
    ),
    # 10
    _post(
        SIONED,
        "neutral",
        "That's really common, @Ryan. Most people see themselves as a partner, a son or a "
        "daughter first. What seems to work is asking on the ward, in plain words, 'Who "
        "helps you at home?' rather than 'Do you have a carer?' Then the carers' worker "
        "follows up with that person, with the patient's agreement.",
        reply_to=9,
        reactions=(5, 0, 6),
    ),
    # 11
    _post(
        FACILITATOR,
        "neutral",
        "A practical point to think about: many people from Pembrokeshire are treated at "
        "Glangwili in Carmarthen, or further afield, not only at Withybush. Should a "
        "carers' service for hospital discharge be based on particular wards, or follow "
        "the patient wherever they're treated?",
        reactions=(1, 1, 1),
    ),
    # 12
    _post(
        PAUL,
        "supports",
        "Follow the patient, definitely. My neighbour in Johnston had his operation in "
        "Glangwili and came home with nothing arranged, because everybody assumed someone "
        "else was dealing with it. A named person who stays with the family from admission "
        "to the first week at home would solve a lot of this.",
        reply_to=11,
        reactions=(6, 0, 2),
    ),
]

_YOUNG_CARERS_POSTS = [
    # 0
    _post(
        MEGAN,
        "supports",
        "I'm a bit nervous posting on this one because it's my proposal. Since I wrote it, "
        "my brother has started missing the bus to school because he's been up in the "
        "night with Mum. He's 13. I don't want someone to 'sort out' our family. I want "
        "him to have an adult at school who already knows, so he doesn't have to explain "
        "himself every time he's late.",
        reactions=(8, 4, 1),
    ),
    # 1
    _post(
        LISA,
        "question",
        "Thank you for being so open, Megan. A genuine question: how would a school find "
        "young carers without singling them out in front of everyone? At 13 I'd have been "
        "mortified.",
        reply_to=0,
        reactions=(3, 0, 1),
    ),
    # 2
    _post(
        MEGAN,
        "neutral",
        "Good question. What would have worked for me: a line on the form at the start of "
        "the year, a short talk in assembly so you know what a young carer is, and "
        "teachers who notice when someone's always late or tired and ask quietly. The "
        "Young Carers ID card helped me at the pharmacy, too, so I didn't have to explain.",
        reply_to=1,
        reactions=(6, 0, 4),
    ),
    # 3
    _post(
        KAREN,
        "concerns",
        "I want to raise something carefully. Alfie's older sister, Ella, is 15 and helps "
        "a lot with him. I'd never thought of her as a young carer until I read this. My "
        "honest first reaction was fear: if the school writes it down, will social "
        "services think we're not coping? I suspect a lot of parents would feel the same "
        "and keep quiet.",
        reactions=(5, 1, 6),
    ),
    # 4
    _post(
        SIONED,
        "neutral",
        "That fear is very common, Karen, and it's understandable. Young carers' support "
        "is there for the young person: time with others their age, a break, someone to "
        "talk to. It isn't an assessment of the parents. But you're right that families "
        "won't believe that unless it's said clearly and early.",
        reply_to=3,
        reactions=(5, 1, 3),
    ),
    # 5
    _post(
        KAREN,
        "supports",
        "That helps, thank you. Then it needs saying in the leaflets, in plain words, on "
        "the first page: this is support for your child, not a judgement of you.",
        reply_to=4,
        reactions=(7, 0, 2),
    ),
    # 6
    _post(
        CATRIN,
        "concerns",
        "Rwy'n athrawes mewn ysgol uwchradd yn y gogledd, ac rwy'n cefnogi hyn. Ond rhaid "
        "bod yn realistig. Mae'r tîm bugeiliol eisoes dan bwysau mawr. Os bydd "
        "'arweinydd gofalwyr ifanc' yn cael ei ychwanegu at restr rhywun heb amser i'w "
        "wneud, fydd dim byd yn newid. Mae angen amser wedi'i neilltuo a hyfforddiant i "
        "bob athro, nid bathodyn yn unig.",
        language="cy",
        reactions=(6, 0, 3),
    ),
    # 7
    _post(
        RYAN,
        "supports",
        "One more angle. After my accident my sister was 16, and she did a lot for me that "
        "nobody knew about: helping me dress, sorting my tablets, covering for Mum. She "
        "never got any support and she dropped out of sixth form. Young carers aren't only "
        "looking after parents. Brothers and sisters count too.",
        reactions=(7, 2, 3),
    ),
    # 8
    _post(
        GARETH,
        "question",
        "I'm all for this. But is support in schools something this budget should pay "
        "for, or is it the education department's job? I don't want us to spend carers' "
        "money on something that should come from elsewhere.",
        reactions=(3, 0, 2),
    ),
    # 9
    _post(
        FACILITATOR,
        "neutral",
        "Good question, Gareth. The commissioners have confirmed that young carers' "
        "services, including breaks, groups and support workers, are in scope. Training "
        "and a named lead in schools would need the council's education service to agree. "
        "The panel can still recommend it, and I'll note it as something to co-design "
        "with education.",
        reply_to=8,
        reactions=(2, 3, 1),
    ),
    # 10
    _post(
        MEGAN,
        "supports",
        "That makes sense. Then I'd say the breaks and the club matter most from this "
        "budget, because nobody else pays for those. School can be a separate ask, but "
        "please don't drop it.",
        reply_to=9,
        reactions=(6, 0, 1),
    ),
    # 11
    _post(
        DAFYDD,
        "supports",
        "Mae fy wyres yn 14 ac mae hi'n fy helpu i wisgo ar fore Sadwrn, er mwyn i'm "
        "gwraig gael awr neu ddwy iddi hi ei hun. Dydy hi byth yn cwyno. Ond pan glywais i "
        "stori Megan, sylweddolais ei bod hi'n ofalwr ifanc hefyd. Hoffwn weld clwb a "
        "gweithgareddau yn Gymraeg iddi hi a'i ffrindiau yn ardal Abergwaun.",
        language="cy",
        reactions=(5, 2, 1),
    ),
]

_ASSESSMENT_POSTS = [
    # 0
    _post(
        FACILITATOR,
        "neutral",
        "This proposal comes from Donna, who isn't on the panel. In short, she asks for "
        "carers' needs assessments within four weeks, starting with a conversation about "
        "what matters and ending in a written plan with a named contact. Questions for "
        "you: if you've been assessed, what was it like? And what should an assessment "
        "actually lead to?",
        reactions=(0, 3, 0),
    ),
    # 1
    _post(
        TRACEY,
        "concerns",
        "I waited just over four months for mine. When it came, it was a long form over "
        "the phone, and then a letter with phone numbers I already had. I'm not blaming "
        "the person who did it: she was lovely and clearly rushed off her feet. But I "
        "came away feeling I'd used up an afternoon I didn't have, for nothing.",
        reactions=(7, 1, 1),
    ),
    # 2
    _post(
        ALAN,
        "supports",
        "Same here, Tracey, almost word for word. What I'd want is simple: at the end, "
        "somebody says 'this is what will happen, this is who will do it, and this is when "
        "I'll ring you back'. And then they ring you back.",
        reply_to=1,
        reactions=(8, 0, 2),
    ),
    # 3
    _post(
        EIRLYS,
        "question",
        "Doeddwn i ddim yn gwybod bod gen i hawl i asesiad fy hun tan y llynedd, ar ôl "
        "gofalu am Glyn am chwe blynedd. Dim ond ar hap y clywais i amdano, gan ffrind yn "
        "y capel. Sawl gofalwr arall sydd ddim yn gwybod? A fydd y gwasanaeth newydd yn "
        "mynd ati i chwilio amdanyn nhw?",
        language="cy",
        reactions=(6, 0, 3),
    ),
    # 4
    _post(
        SIONED,
        "supports",
        "I work for a carers' organisation. In some parts of Wales, councils ask the local "
        "carers' centre to carry out carers' assessments on their behalf. It can be "
        "quicker, and carers often find it less formal. The assessment should feel like a "
        "conversation about your life, not a test you have to pass.",
        reactions=(5, 0, 5),
    ),
    # 5
    _post(
        JULIE,
        "concerns",
        "I can see the benefits, @Sioned, but I'd want one safeguard. If the carer's "
        "assessment is done by one organisation and the cared-for person's assessment by "
        "another, the two plans can end up pulling in different directions. Whoever does "
        "it, the two need to be joined up, with the family's agreement.",
        reply_to=4,
        reactions=(6, 0, 4),
    ),
    # 6
    _post(
        SIONED,
        "supports",
        "Agreed. Ideally it's one conversation with the family, where they want that, and "
        "two plans that fit together.",
        reply_to=5,
        reactions=(4, 0, 1),
    ),
    # 7
    _post(
        GARETH,
        "question",
        "Should the specification put a number on it? Donna says four weeks. Is that "
        "realistic, or will it just mean rushed assessments to hit a target?",
        reactions=(3, 0, 2),
    ),
    # 8
    _post(
        FACILITATOR,
        "neutral",
        "Worth noting for the co-design stage, Gareth. The commissioners have said they'll "
        "share current waiting times with the panel before we get to the specification, "
        "so that any target is based on real figures. Does anyone feel strongly either "
        "way about a time limit?",
        reply_to=7,
        reactions=(1, 2, 0),
    ),
    # 9
    _post(
        MEGAN,
        "supports",
        "I'd keep a time limit, but with a faster route in a crisis. I was 18 before "
        "anyone told me I could have my own assessment, separate from Mum's. When I "
        "finally had one, it took eight weeks. By then I'd already dropped a college "
        "course.",
        reply_to=8,
        reactions=(7, 1, 2),
    ),
    # 10
    _post(
        LISA,
        "supports",
        "As someone who isn't a carer, I'll say this: I had no idea any of this existed. "
        "Information needs to be where ordinary people are: pharmacies, supermarkets, the "
        "school gates, the rugby club. Not just on a council website.",
        reactions=(5, 0, 3),
    ),
    # 11
    _post(
        BETHAN,
        "question",
        "From the GP side: when a carer tells us who they are, we add them to the register "
        "and can refer them on. Would the new service accept referrals straight from "
        "surgeries, and tell us the outcome, so we know the referral didn't just "
        "disappear?",
        reactions=(5, 0, 4),
    ),
]

_PEER_SUPPORT_POSTS = [
    # 0
    _post(
        CATRIN,
        "supports",
        "Diolch am yr ymatebion i'r cynnig hwn. Y peth pwysicaf i fi yw'r ail bwynt: "
        "gweithgaredd i'r bobl rydyn ni'n gofalu amdanyn nhw yn yr un adeilad. Alla i ddim "
        "mynd i grŵp os nad oes neb i aros gyda Dad. A dydy Dad ddim eisiau eistedd mewn "
        "stafell yn gwneud dim. Mae e'n dwlu ar ganu.",
        language="cy",
        reactions=(6, 1, 1),
    ),
    # 1
    _post(
        MAIR,
        "supports",
        "Mae neuadd y pentref yng Nghrymych ar gael ar brynhawn dydd Iau, ac mae criw "
        "ohonon ni a fyddai'n hapus i wneud te a chacen. Mae gennym ni biano hefyd, "
        "Catrin, felly does dim esgus dros beidio â chanu!",
        language="cy",
        reply_to=0,
        reactions=(7, 3, 0),
    ),
    # 2
    _post(
        SIONED,
        "concerns",
        "Rwy wedi gweld llawer o grwpiau gwych yn dechrau ac yna'n dod i ben ar ôl "
        "blwyddyn, pan fydd y person sy'n eu trefnu wedi blino'n lân. Mae angen cydlynydd "
        "â thâl, hyd yn oed am ychydig oriau'r wythnos, i gadw'r cyfan i fynd ac i "
        "sicrhau bod rhywun wedi'i hyfforddi i gefnogi'r bobl sy'n derbyn gofal.",
        language="cy",
        reactions=(6, 0, 4),
    ),
    # 3
    _post(
        PAUL,
        "question",
        "I'm on the committee of our village hall in Johnston, and we'd be glad to host a "
        "group for the west of the county. A practical question: who would hold the "
        "insurance, and who would be responsible if someone was taken ill during a "
        "session?",
        reactions=(4, 0, 2),
    ),
    # 4
    _post(
        JULIE,
        "neutral",
        "In my experience it works best when the carers' organisation running the group "
        "holds the insurance and does the risk assessment, and the hall just hires out the "
        "room. It also takes the worry off volunteer committees like yours, @Paul.",
        reply_to=3,
        reactions=(3, 0, 2),
    ),
    # 5
    _post(
        RYAN,
        "concerns",
        "Can I make a plea for the people being cared for? Please don't let it be a "
        "'holding room' with the telly on. If I'm going to be in the next room while my "
        "mum has a cuppa with other carers, I want something to do that I'd actually "
        "choose, and people my own age, not just older people.",
        reactions=(7, 1, 3),
    ),
    # 6
    _post(
        CATRIN,
        "supports",
        "Completely agree, Ryan. For Dad it's singing and a bit of chat about farming. For "
        "you it'd be something else entirely. Maybe each group should ask the people who "
        "come what they want, rather than deciding for them.",
        reply_to=5,
        reactions=(5, 0, 1),
    ),
    # 7
    _post(
        TRACEY,
        "neutral",
        "Not everyone can get out, even to a village hall. I'd use an evening group "
        "online, after Mum's gone to bed, more than anything in the daytime. Could the "
        "service offer both?",
        reactions=(4, 0, 1),
    ),
    # 8
    _post(
        EIRLYS,
        "concerns",
        "Dydw i ddim yn dda iawn gyda'r cyfrifiadur, ac mae'r band eang yn wael iawn lle "
        "rydyn ni'n byw, y tu allan i Dyddewi. Mae grŵp ar-lein yn syniad da i rai, ond i "
        "fi, wyneb yn wyneb neu ddim o gwbl.",
        language="cy",
        reply_to=7,
        reactions=(6, 0, 1),
    ),
    # 9
    _post(
        LISA,
        "neutral",
        "That's a real gap, Eirlys. The digital proposal that wasn't shortlisted, lending "
        "tablets with data and someone patient to show you, might be worth bringing into "
        "this one. But face-to-face has to stay the main offer.",
        reply_to=8,
        reactions=(4, 0, 3),
    ),
    # 10
    _post(
        FACILITATOR,
        "neutral",
        "Thank you all. Transport has come up in several threads. How would people "
        "without a car get to a group in Crymych or Johnston? Community car schemes are "
        "one option, and the health board is planning a separate cycle on community "
        "transport. Should this proposal include any transport budget of its own?",
        reactions=(1, 1, 0),
    ),
    # 11
    _post(
        KAREN,
        "supports",
        "Transport, yes, but also timing. Working carers can't come on a Thursday "
        "afternoon. One evening or Saturday-morning group a month in each area would mean "
        "people like me and Tracey could come too.",
        reply_to=10,
        reactions=(5, 0, 1),
    ),
]

_WORKING_CARERS_POSTS = [
    # 0
    _post(
        KAREN,
        "supports",
        "An update since I wrote this: school called me out of work twice last week. My "
        "manager is understanding, but I can feel the patience wearing thin, and I don't "
        "blame her. The single thing that would help most is emergency cover I can call "
        "on at short notice, from someone Alfie already knows. Everything else I can "
        "juggle.",
        reactions=(7, 2, 1),
    ),
    # 1
    _post(
        PAUL,
        "neutral",
        "Worth knowing: since April 2024, employees have had a legal right to up to a "
        "week's unpaid carer's leave a year, from their first day in the job. I work at "
        "the port and hardly anyone there has heard of it. The service could do a lot "
        "just by making sure carers and managers know their rights.",
        reactions=(5, 1, 6),
    ),
    # 2
    _post(
        KAREN,
        "concerns",
        "Thanks, Paul, I didn't know that. But unpaid leave doesn't help much when you're "
        "the only wage coming in. I can't afford to lose a week's pay every time there's a "
        "crisis.",
        reply_to=1,
        reactions=(6, 0, 2),
    ),
    # 3
    _post(
        TRACEY,
        "supports",
        "The same for me, Karen. When Mum was rushed into Withybush in October, I had to "
        "leave halfway through a shift and didn't know what to tell work. A plan set up "
        "in advance, with cover that kicks in within a few hours, would mean I'm not "
        "choosing between Mum and my job.",
        reply_to=0,
        reactions=(6, 0, 1),
    ),
    # 4
    _post(
        JULIE,
        "supports",
        "The health board and the council are two of the biggest employers in "
        "Pembrokeshire, and a lot of their staff are carers themselves. They should be "
        "the first to show what a carer-friendly employer looks like: flexible rotas, a "
        "carers' policy people actually know about, and managers trained to have the "
        "conversation.",
        reactions=(6, 1, 2),
    ),
    # 5
    _post(
        BETHAN,
        "concerns",
        "Cytuno, Julie, ond cofiwch am gyflogwyr bach. Tîm o naw sydd gyda ni yn y "
        "feddygfa. Pan fydd un person yn gorfod gadael ar fyr rybudd, mae'n anodd iawn "
        "llenwi'r bwlch. Rydyn ni eisiau bod yn hyblyg, ond mae angen cyngor ymarferol "
        "arnon ni, nid addewid ar bapur yn unig.",
        language="cy",
        reply_to=4,
        reactions=(5, 0, 3),
    ),
    # 6
    _post(
        GARETH,
        "question",
        "Can this budget really change how employers behave, though? It's meant for "
        "carers' services. I'd rather it paid for the emergency cover Karen and Tracey are "
        "describing than for leaflets for employers.",
        reactions=(4, 0, 2),
    ),
    # 7
    _post(
        FACILITATOR,
        "neutral",
        "A fair challenge, Gareth. Employment law isn't something a local service can "
        "change. The commissioners have said the budget could pay for emergency and "
        "flexible replacement care, and for advice to carers and to small employers. Does "
        "the panel think the balance should lean heavily towards the cover itself?",
        reply_to=6,
        reactions=(2, 1, 1),
    ),
    # 8
    _post(
        MEGAN,
        "concerns",
        "Younger carers are in a different position again. A lot of us are on "
        "zero-hours contracts in shops and cafés. You can't ask for flexible working when "
        "you're not even sure you'll have shifts next week. Any advice for carers needs "
        "to cover that, not just office jobs.",
        reactions=(6, 0, 4),
    ),
    # 9
    _post(
        LISA,
        "supports",
        "I manage rotas at a leisure centre, so I'm on the other side of this. Most "
        "managers would happily work around caring if they knew. Young staff often don't "
        "tell us because they're worried they'll get fewer hours. A simple carer's card "
        "they could show, like the young carers' one, might help them start that "
        "conversation.",
        reply_to=8,
        reactions=(4, 0, 3),
    ),
    # 10
    _post(
        DAFYDD,
        "supports",
        "O safbwynt y person sy'n derbyn gofal: rhoddodd fy ngwraig y gorau i'w swydd pan "
        "oedd hi'n 58, i ofalu amdana i. Rwy'n dal i deimlo'n euog am hynny. Collodd hi ei "
        "ffrindiau yn y gwaith a rhan o'i phensiwn. Os oes modd helpu gofalwyr i gadw eu "
        "swyddi, dylen ni wneud hynny.",
        language="cy",
        reactions=(7, 2, 2),
    ),
]

_WELCOME_POSTS = [
    # 0
    _post(
        FACILITATOR,
        "neutral",
        "Croeso, and welcome to the panel. I'm your facilitator for the next eight weeks. "
        "The ground rules we agreed at the first meeting:\n\n"
        "1. Speak from your own experience; there are no wrong answers.\n"
        "2. Challenge ideas, not people.\n"
        "3. Keep private details private: first names only, and don't name staff.\n"
        "4. Post in Welsh or English, whichever you prefer. Croeso i chi ysgrifennu yn "
        "Gymraeg.\n"
        "5. Caring comes first. Nobody needs to read everything.\n"
        "6. If something worries you, flag it and I'll look at it.",
        reactions=(8, 6, 0),
    ),
    # 1
    _post(
        CATRIN,
        "supports",
        "Diolch yn fawr. Mae'n braf gweld y gallwn ni ysgrifennu yn Gymraeg heb orfod "
        "gofyn. Rwy'n gofalu am fy nhad yng Nghrymych ac yn gweithio'n rhan-amser fel "
        "athrawes. Edrych ymlaen at weithio gyda chi i gyd.",
        language="cy",
        reactions=(6, 1, 0),
    ),
    # 2
    _post(
        GARETH,
        "neutral",
        "Hello all. Gareth, from Pembroke Dock. I look after my wife, Sue, who had a "
        "stroke. I've never done anything like this before and I'm not much of a writer, "
        "so bear with me.",
        reactions=(7, 2, 0),
    ),
    # 3
    _post(
        MEGAN,
        "neutral",
        "Me neither, Gareth! I'm Megan, 19, from Milford. I think I'm the youngest here, "
        "so I'll try to bring the young carers' side of things.",
        reply_to=2,
        reactions=(8, 1, 0),
    ),
    # 4
    _post(
        EMYR,
        "question",
        "Prynhawn da. Emyr ydw i, o Drefdraeth. Mae fy ngolwg yn wael iawn, felly mae fy "
        "merch yn darllen y negeseuon i fi ac yn teipio fy atebion. Oes modd cael y "
        "papurau ar gyfer y cyfarfodydd mewn print bras?",
        language="cy",
        reactions=(4, 2, 0),
    ),
    # 5
    _post(
        FACILITATOR,
        "neutral",
        "Oes, wrth gwrs, Emyr. We'll post large-print copies of every meeting pack to "
        "you, in Welsh, a week before each meeting. Anyone else who would like paper "
        "copies, audio or easy read, just let me know.",
        reply_to=4,
        reactions=(3, 4, 0),
    ),
    # 6
    _post(
        JULIE,
        "neutral",
        "Hi everyone. I'm Julie, a district nurse in south Pembrokeshire. To be clear from "
        "the start: I'm here as a panel member, picked like everyone else, not to speak "
        "for the health board. I'll say when I'm talking from my work experience.",
        reactions=(6, 1, 2),
    ),
    # 7
    _post(
        RYAN,
        "question",
        "Thanks, Julie, that's good to know. A question for the facilitator: do the "
        "commissioners read these threads? And will they actually reply to what we say?",
        reply_to=6,
        reactions=(4, 0, 1),
    ),
    # 8
    _post(
        FACILITATOR,
        "neutral",
        "Good question, Ryan. The commissioners can read the threads but won't post in "
        "them, so that the discussion stays yours. They'll respond in writing to each "
        "thread summary, and they'll sit down with the panel to draft the specification "
        "together. You'll see their responses here.",
        reply_to=7,
        reactions=(5, 2, 1),
    ),
    # 9
    _post(
        EIRLYS,
        "neutral",
        "Noswaith dda. Eirlys ydw i, o ymyl Tyddewi. Rwy'n gofalu am fy ngŵr, Glyn, sydd "
        "â dementia. Efallai y bydda i'n dawel am ddyddiau weithiau, ond rwy'n darllen "
        "popeth pan fydd cyfle.",
        language="cy",
        reactions=(5, 3, 0),
    ),
    # 10
    _post(
        TRACEY,
        "supports",
        "Rule 5 is a lifesaver. Some weeks I'll only manage a quick look on my break. "
        "Tracey, Pembroke Dock, carer for my mum.",
        reply_to=0,
        reactions=(6, 1, 0),
    ),
]

_EXPENSES_POSTS = [
    # 0
    _post(
        FACILITATOR,
        "neutral",
        "How expenses and meetings work:\n\n"
        "- Travel: 45p a mile, or bus and train fares, paid within two weeks.\n"
        "- Replacement care: if someone needs to care while you take part, we arrange "
        "and pay for it directly.\n"
        "- A thank-you payment of £30 for each meeting. You can take it as a voucher, or "
        "turn it down.\n"
        "- Online meetings: Tuesdays, 7pm to 8.30pm.\n"
        "- Three Saturday mornings in person in Haverfordwest, with simultaneous "
        "interpretation between Welsh and English.",
        reactions=(4, 5, 0),
    ),
    # 1
    _post(
        KAREN,
        "question",
        "Tuesday evenings are fine for me once Alfie's settled. Saturdays are harder, "
        "because he finds changes to his weekend routine really difficult. Would it be "
        "possible to join the Saturday sessions online?",
        reactions=(2, 0, 0),
    ),
    # 2
    _post(
        FACILITATOR,
        "neutral",
        "Yes, Karen. Each in-person session will also be open online, with a member of "
        "the support team there to make sure online members are heard, not just watching.",
        reply_to=1,
        reactions=(3, 2, 0),
    ),
    # 3
    _post(
        EIRLYS,
        "question",
        "Alla i ddim gadael Glyn gyda'r nos, achos mae e'n mynd yn ddryslyd wrth iddi "
        "dywyllu. Os bydd rhywun yn dod i eistedd gydag e tra bydda i yn y cyfarfod, a "
        "fydd y person hwnnw'n siarad Cymraeg?",
        language="cy",
        reactions=(3, 0, 0),
    ),
    # 4
    _post(
        FACILITATOR,
        "neutral",
        "Bydd, Eirlys. Byddwn ni'n trefnu rhywun sy'n siarad Cymraeg, a'r un person bob "
        "tro os oes modd. Byddwn ni hefyd yn cynnal sesiwn dal i fyny yn ystod y dydd i "
        "unrhyw un sy'n methu dod gyda'r nos.",
        language="cy",
        reply_to=3,
        reactions=(4, 3, 0),
    ),
    # 5
    _post(
        GARETH,
        "question",
        "I get Carer's Allowance. Would the £30 thank-you payment affect it? I don't want "
        "to end up having to pay anything back.",
        reactions=(4, 0, 1),
    ),
    # 6
    _post(
        FACILITATOR,
        "neutral",
        "Thanks for asking, Gareth: several people have the same question. Paying back "
        "your actual travel and care costs is different from a payment for your time, but "
        "we can't give individual benefits advice here. The support team will put anyone "
        "who asks in touch with a free, independent welfare rights adviser before the "
        "first payment. And you can always choose not to take it.",
        reply_to=5,
        reactions=(5, 4, 2),
    ),
    # 7
    _post(
        DAFYDD,
        "question",
        "A fydd lle i barcio'n agos at y drws yn Hwlffordd? Dydw i ddim yn gallu cerdded "
        "yn bell erbyn hyn, ac mae'r cryndod yn waeth pan fydda i wedi blino.",
        language="cy",
        reactions=(2, 0, 0),
    ),
    # 8
    _post(
        FACILITATOR,
        "neutral",
        "Bydd, Dafydd. Mae dau le parcio i bobl anabl wrth y brif fynedfa, a byddwn ni'n "
        "eu cadw ar eich cyfer chi ac unrhyw un arall sydd eu hangen. Bydd rhywun yn "
        "cwrdd â chi wrth y drws.",
        language="cy",
        reply_to=7,
        reactions=(3, 2, 0),
    ),
    # 9
    _post(
        FACILITATOR,
        "neutral",
        "I'm locking this thread now. All the answers are in the panel handbook, which "
        "has been posted and emailed to everyone. For questions about your own expenses "
        "or care arrangements, please contact the panel support team directly, so that "
        "your details stay private.",
        reactions=(2, 3, 0),
    ),
]

THREADS: list[dict[str, Any]] = [
    {
        "proposal": None,
        "title_en": "Welcome and ground rules",
        "title_cy": "Croeso a rheolau sylfaenol",
        "posts": _WELCOME_POSTS,
        "summary_en": (
            "Members introduced themselves and agreed the ground rules: speak from "
            "experience, challenge ideas not people, keep private details private, post in "
            "Welsh or English, put caring first, and flag concerns to the facilitator. The "
            "facilitator confirmed that large-print, audio and easy-read packs are "
            "available in either language on request. Commissioners will read the threads "
            "but not post in them; they will respond in writing to each thread summary and "
            "co-design the specification with the panel. A member who works for the health "
            "board made clear that she takes part as a panel member, not on the health "
            "board's behalf."
        ),
        "evidence": [],
        "locked": False,
    },
    # Proposal 0: planned short breaks
    {
        "proposal": 0,
        "posts": _SHORT_BREAKS_POSTS,
        "summary_en": (
            "The panel strongly supports planned breaks that carers can book months ahead, "
            "in Pembrokeshire, in the same place and with familiar staff. Members agree "
            "that a break only works if the person who is cared for enjoys it too: younger "
            "adults in particular do not want to stay in care homes for older people. "
            "Ideas include off-season holiday lets, weekends away with a personal "
            "assistant, and regular daytime breaks alongside overnight ones. Concerns: the "
            "cost of keeping places free all year, and the lack of genuinely accessible "
            "accommodation. A waiting list for cancelled bookings could reduce waste. "
            "Working carers prefer several long weekends to a single week."
        ),
        "evidence": [
            {
                "kind": "link",
                "title": "Short Breaks Scheme Wales",
                "url": "https://www.shortbreaksscheme.wales/",
                "summary": (
                    "The national Short Breaks Scheme, coordinated by Carers Trust Wales "
                    "with Welsh Government funding, pays for flexible breaks through local "
                    "carer organisations, from overnight stays to activities and small "
                    "grants. Useful for seeing what local commissioning should add to, "
                    "rather than repeat."
                ),
            },
            {
                "kind": "link",
                "title": "Strategy for unpaid carers: delivery plan annual report 2024",
                "url": "https://www.gov.wales/unpaid-carers-delivery-plan-annual-report-2024-html",
                "summary": (
                    "The Welsh Government's progress report on the national strategy for "
                    "unpaid carers, including the short breaks scheme and carers' feedback "
                    "that they often want shorter, more frequent breaks."
                ),
            },
        ],
        "locked": False,
    },
    # Proposal 1: care at home in Welsh
    {
        "proposal": 1,
        "posts": _WELSH_CARE_POSTS,
        "summary_en": (
            "Members strongly support care at home in Welsh for people who need it, "
            "especially people living with dementia, who may lose their second language. "
            "There is agreement that this is about being understood, not about "
            "preference, and that it applies across the county, not only in the north. "
            "Concerns: recruiting Welsh-speaking care workers in rural areas, where pay is "
            "low and travel time is not always paid. Suggestions: pay travel time, offer "
            "stable contracts, help small local providers to register with Care "
            "Inspectorate Wales, and use volunteers for companionship but not personal "
            "care. Members want a person's language recorded once and passed on."
        ),
        "evidence": [
            {
                "kind": "link",
                "title": "More than just words: the Active Offer (Care Inspectorate Wales)",
                "url": "https://www.careinspectorate.wales/more-just-words",
                "summary": (
                    "Explains the Welsh Government's framework for the Welsh language in "
                    "health and social care, and the 'Active Offer': providing a service in "
                    "Welsh without the person having to ask for it. Inspectors look at "
                    "whether care services make this offer."
                ),
            },
            {
                "kind": "link",
                "title": "Using Welsh at work: policy and legislation (Social Care Wales)",
                "url": (
                    "https://socialcare.wales/resources-guidance/using-welsh-at-work/"
                    "policy-and-legislation"
                ),
                "summary": (
                    "Social Care Wales guidance for care providers on their duties to offer "
                    "Welsh-language services, including providers who deliver care on "
                    "behalf of public bodies."
                ),
            },
        ],
        "locked": False,
    },
    # Proposal 2: hospital discharge
    {
        "proposal": 2,
        "posts": _HOSPITAL_POSTS,
        "summary_en": (
            "Strong support for treating carers as partners when someone leaves hospital. "
            "Members describe discharges late on Fridays, new medicines not explained, "
            "and families not told that someone was coming home. Main points of "
            "agreement: ask carers before a discharge date is set; a named carers' worker "
            "who follows the patient across Withybush, Glangwili and other hospitals; and "
            "a phone line that answers at weekends. Members suggested linking GP carer "
            "registers to hospital records, and asking 'Who helps you at home?' to find "
            "people who do not call themselves carers. Concern: good practice currently "
            "depends on who is on shift."
        ),
        "evidence": [
            {
                "kind": "link",
                "title": "Strategy for unpaid carers: delivery plan annual report 2023",
                "url": "https://www.gov.wales/unpaid-carers-delivery-plan-annual-report-2023-html",
                "summary": (
                    "The Welsh Government's report on the national strategy for unpaid "
                    "carers, including its work with health boards to support unpaid carers "
                    "when the person they care for goes into, or leaves, hospital."
                ),
            },
        ],
        "locked": False,
    },
    # Proposal 3: young carers
    {
        "proposal": 3,
        "posts": _YOUNG_CARERS_POSTS,
        "summary_en": (
            "Members strongly support more recognition and support for young carers, "
            "including those who help care for a brother, sister or grandparent, not only "
            "a parent. Agreed priorities: regular breaks and activities, a young carers' "
            "club in the towns and online, activities in Welsh, and support that continues "
            "through the move to college or work. Members want a named, trained person in "
            "every secondary school, with protected time, but note that this needs the "
            "council's education service to agree. A key concern is that parents fear "
            "being judged: information should say plainly that young carers' support is "
            "for the young person, not an assessment of the family."
        ),
        "evidence": [
            {
                "kind": "link",
                "title": "Carers Trust",
                "url": "https://carers.org/",
                "summary": (
                    "Carers Trust works with local carer organisations across Wales and "
                    "has information on young carers and young adult carers, including "
                    "breaks, peer support and support in school and college."
                ),
            },
        ],
        "locked": False,
    },
    # Proposal 4: carers' assessments
    {
        "proposal": 4,
        "posts": _ASSESSMENT_POSTS,
        "summary_en": (
            "Members agree that carers' needs assessments take too long and too often end "
            "with a list of phone numbers rather than support. They want an assessment "
            "that feels like a conversation about the carer's life and ends in a written "
            "plan with a named contact and a review date. Members broadly support a time "
            "limit, with a faster route in a crisis, and will look at current waiting "
            "times before agreeing a figure. Some support carers' organisations carrying "
            "out assessments, provided they are joined up with the assessment of the "
            "person cared for. Members also asked for direct referrals from GP surgeries, "
            "with feedback, and for information in everyday places."
        ),
        "evidence": [
            {
                "kind": "link",
                "title": "Social Services and Well-being (Wales) Act 2014",
                "url": "https://www.legislation.gov.uk/anaw/2014/4/contents",
                "summary": (
                    "The Act gives unpaid carers in Wales the right to a carer's needs "
                    "assessment, whatever the amount of care they provide, and places a "
                    "duty on local authorities to meet carers' eligible needs for support."
                ),
            },
            {
                "kind": "link",
                "title": "Carers Wales",
                "url": "https://www.carersuk.org/wales/",
                "summary": (
                    "Carers Wales, part of Carers UK, publishes plain-language guidance for "
                    "carers on assessments, rights and benefits, and research on carers' "
                    "experiences in Wales."
                ),
            },
        ],
        "locked": False,
    },
    # Proposal 5: local carers' groups
    {
        "proposal": 5,
        "posts": _PEER_SUPPORT_POSTS,
        "summary_en": (
            "Members support monthly local carers' groups in village halls across the "
            "county, with an activity in the same building for the people who are cared "
            "for, so that carers can attend. That activity must be something people would "
            "choose, shaped by those who come. Halls in Crymych and Johnston have offered "
            "space, and local volunteers will help. Agreed needs: a paid coordinator so "
            "that groups last, insurance and risk assessment held by the organisation "
            "running them, some evening or weekend groups for working carers, and "
            "transport. Online groups suit some carers, but poor broadband and digital "
            "confidence mean face-to-face must remain the main offer."
        ),
        "evidence": [],
        "locked": False,
    },
    # Proposal 6: working carers
    {
        "proposal": 6,
        "posts": _WORKING_CARERS_POSTS,
        "summary_en": (
            "Members agree that keeping paid work matters for carers' income, well-being "
            "and pensions. The clearest priority is emergency replacement care that can be "
            "arranged within hours, from someone the cared-for person knows, backed by a "
            "plan set up in advance. Members want the health board and council to lead as "
            "carer-friendly employers, and practical advice for small employers. The right "
            "to unpaid carer's leave is little known, but unpaid leave does not help "
            "carers on low incomes. Younger carers on zero-hours contracts face particular "
            "difficulties. Some members want the budget weighted towards replacement care "
            "rather than work with employers."
        ),
        "evidence": [
            {
                "kind": "link",
                "title": "Employers for Carers",
                "url": "https://www.employersforcarers.org/",
                "summary": (
                    "Employers for Carers, run by Carers UK, supports employers to help "
                    "staff who are carers, including the Carer Confident benchmark and "
                    "practical guidance on flexible working and carer's leave."
                ),
            },
        ],
        "locked": False,
    },
    {
        "proposal": None,
        "title_en": "Travel expenses and meeting times",
        "title_cy": "Costau teithio ac amseroedd cyfarfodydd",
        "posts": _EXPENSES_POSTS,
        "summary_en": (
            "Practical arrangements for taking part. Travel is repaid at 45p a mile or at "
            "cost for bus and train fares, and replacement care is arranged and paid for "
            "directly, with a Welsh-speaking sitter where needed. A £30 thank-you payment "
            "is offered for each meeting, and members can take it as a voucher or decline "
            "it; anyone on benefits can speak to an independent welfare rights adviser "
            "first. Meetings are online on Tuesday evenings, with three Saturday mornings "
            "in Haverfordwest that can also be joined online, and a daytime catch-up. "
            "Accessible parking is reserved at the venue."
        ),
        "evidence": [],
        "locked": True,
        "locked_reason": (
            "Answered: the arrangements are now in the panel handbook. Please contact the "
            "panel support team about your own expenses or care, so that your details stay "
            "private."
        ),
    },
]


def _check() -> list[str]:
    """Consistency checks for the demo data; returns a list of problems (empty when OK)."""
    import re
    from collections import Counter

    problems: list[str] = []

    def expect(condition: bool, message: str) -> None:
        if not condition:
            problems.append(message)

    def words(text: str) -> int:
        return len(text.split())

    # Volunteers.
    expect(len(VOLUNTEERS) == 40, "there should be 40 volunteers")
    emails = [v["email"] for v in VOLUNTEERS]
    expect(len(set(emails)) == len(emails), "volunteer e-mails should be unique")
    names = [v["name"] for v in VOLUNTEERS]
    expect(len(set(names)) == len(names), "volunteer names should be unique")
    welsh = sum(v["language"] == "cy" for v in VOLUNTEERS) / len(VOLUNTEERS)
    expect(0.3 <= welsh <= 0.5, f"about 40% of volunteers should be Welsh speakers ({welsh:.0%})")
    group_keys = [key for key, *_ in CYCLE["groups"]]
    for v in VOLUNTEERS:
        expect(v["group"] in group_keys, f"{v['name']}: unknown group")
        expect(v["features"]["group"] == v["group"], f"{v['name']}: group feature differs")

    # Groups and categories.
    shares = sum(share for *_, share in CYCLE["groups"])
    expect(abs(shares - 1.0) < 1e-9, f"group shares should sum to 1 ({shares})")
    expect(
        max(CYCLE["groups"], key=lambda g: g[3])[0] == "carer",
        "carers should have the largest share",
    )
    expect(5 <= len(CYCLE["categories"]) <= 6, "5 to 6 categories")
    category_keys = {key for key, *_ in CYCLE["categories"]}

    # Panel quotas: the first PANEL_SIZE volunteers meet them, and the pool can.
    panel = CYCLE["panel"]
    expect(panel["size"] == PANEL_SIZE, "panel size")
    expect(len(panel["seed"]) <= 100, "seed must fit in 100 characters")
    drawn = VOLUNTEERS[:PANEL_SIZE]
    for attribute in panel["attributes"]:
        key = attribute["key"]
        values = attribute["values"]
        value_keys = {value["key"] for value in values}
        mins = sum(value["min"] for value in values)
        maxes = sum(value["max"] for value in values)
        expect(mins <= PANEL_SIZE <= maxes, f"{key}: quotas cannot add up to {PANEL_SIZE}")
        in_panel = Counter(v["features"][key] for v in drawn)
        in_pool = Counter(v["features"][key] for v in VOLUNTEERS)
        expect(set(in_pool) <= value_keys, f"{key}: volunteer with an unknown value")
        for value in values:
            count = in_panel[value["key"]]
            expect(
                value["min"] <= count <= value["max"],
                f"{key}={value['key']}: panel has {count}, quota {value['min']}–{value['max']}",
            )
            expect(in_pool[value["key"]] >= value["min"], f"{key}={value['key']}: pool too small")
        if key == "group":
            expect(value_keys == set(group_keys), "group quota keys should match cycle groups")

    # Proposals.
    proposals = CYCLE["proposals"]
    expect(len(proposals) == 10, "10 proposals")
    expect(sum(p["language"] == "cy" for p in proposals) == 3, "3 proposals in Welsh")
    answers = Counter(p["answer"][0] if p["answer"] else None for p in proposals)
    expect(
        answers == Counter({"taken_forward": 7, "not_taken_forward": 1, None: 2}),
        f"answers: {answers}",
    )
    for i, p in enumerate(proposals):
        expect(60 <= words(p["body"]) <= 150, f"proposal {i}: {words(p['body'])} words")
        expect(p["category"] in category_keys, f"proposal {i}: unknown category")
        expect(0 <= p["author"] < len(VOLUNTEERS), f"proposal {i}: author out of range")
        supporters = p["supporters"]
        expect(len(set(supporters)) == len(supporters), f"proposal {i}: duplicate supporters")
        expect(all(0 <= s <= 20 for s in supporters), f"proposal {i}: supporter out of range")
        expect(p["author"] not in supporters, f"proposal {i}: author supports own proposal")
        for kind, _ in p["assets"]:
            expect(kind in {"people", "place", "group", "skill"}, f"proposal {i}: asset kind")
    shortlist = {
        i for i, p in enumerate(proposals) if p["answer"] and p["answer"][0] == "taken_forward"
    }

    # Threads and posts.
    first_names = {v["name"].split()[0] for v in drawn}
    proposal_threads = [t["proposal"] for t in THREADS if t["proposal"] is not None]
    expect(set(proposal_threads) == shortlist, "one thread per shortlisted proposal")
    expect(len(proposal_threads) == len(set(proposal_threads)), "duplicate proposal thread")
    expect(sum(t["locked"] for t in THREADS) == 1, "exactly one locked thread")
    all_posts = [post for t in THREADS for post in t["posts"]]
    expect(90 <= len(all_posts) <= 115, f"about 100 posts ({len(all_posts)})")
    welsh_posts = sum(post["language"] == "cy" for post in all_posts) / len(all_posts)
    expect(0.15 <= welsh_posts <= 0.3, f"about 20% of posts in Welsh ({welsh_posts:.0%})")
    expect(sum("hide_reason" in post for post in all_posts) == 1, "one post to hide")
    for t_index, thread in enumerate(THREADS):
        where = f"thread {t_index}"
        expect(60 <= words(thread["summary_en"]) <= 120, f"{where}: summary length")
        expect(len(thread["evidence"]) <= 2, f"{where}: too much evidence")
        for item in thread["evidence"]:
            expect(item["kind"] == "link" and item["url"].startswith("https://"), where)
        if thread["proposal"] is None:
            expect(bool(thread["title_en"] and thread["title_cy"]), f"{where}: titles")
        if thread["locked"]:
            expect(bool(thread.get("locked_reason")), f"{where}: locked without a reason")
        posts = thread["posts"]
        expect(6 <= len(posts) <= 18, f"{where}: {len(posts)} posts")
        expect(any(p["author"] == FACILITATOR for p in posts), f"{where}: no facilitator post")
        depths: list[int] = []
        for p_index, post in enumerate(posts):
            at = f"{where} post {p_index}"
            author = post["author"]
            expect(
                author == FACILITATOR or (isinstance(author, int) and 0 <= author < PANEL_SIZE),
                f"{at}: author must be a panel member or the facilitator",
            )
            expect(post["stance"] in {"supports", "concerns", "question", "neutral"}, at)
            expect(post["language"] in {"en", "cy"}, f"{at}: language")
            expect(15 <= words(post["body"]) <= 120, f"{at}: {words(post['body'])} words")
            expect(set(post["reactions"]) == {"agree", "thanks", "insightful"}, f"{at}: reactions")
            expect(all(0 <= n <= 12 for n in post["reactions"].values()), f"{at}: reactions")
            reply_to = post["reply_to"]
            if reply_to is None:
                depths.append(0)
            else:
                expect(0 <= reply_to < p_index, f"{at}: reply_to must be an earlier post")
                depths.append(depths[reply_to] + 1 if 0 <= reply_to < p_index else 0)
            expect(depths[-1] <= 3, f"{at}: nested too deeply")
            for name in re.findall(r"@(\w+)", post["body"]):
                expect(name in first_names, f"{at}: @{name} is not on the panel")
    return problems


if __name__ == "__main__":
    found = _check()
    for problem in found:
        print("PROBLEM:", problem)
    if found:
        raise SystemExit(1)
    print("OK")
