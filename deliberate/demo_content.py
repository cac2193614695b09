"""Demo content for Deliberate: two commissioning cycles and twenty demo citizens.

Pure data for the demo loader. The people, proposals and answers are invented; the organisations,
towns and villages are real. `author` and `supporters` index `DEMO_CITIZENS`; `duplicate_of`
indexes the same cycle's `proposals` and is set only on the second proposal of a near-duplicate
pair, for demonstrating a merge.
"""

from __future__ import annotations

from typing import Any

# (e-mail, display name, language, stakeholder group key)
DEMO_CITIZENS: list[tuple[str, str, str, str]] = [
    ("citizen01@demo.deliberate.cymru", "Siân Evans", "cy", "carer"),
    ("citizen02@demo.deliberate.cymru", "Tom Whitfield", "en", "uses_services"),
    ("citizen03@demo.deliberate.cymru", "Elin Jenkins", "cy", "uses_services"),
    ("citizen04@demo.deliberate.cymru", "Mark Pritchard", "en", "practitioner"),
    ("citizen05@demo.deliberate.cymru", "Lowri Davies", "cy", "practitioner"),
    ("citizen06@demo.deliberate.cymru", "Sarah Collins", "en", "carer"),
    ("citizen07@demo.deliberate.cymru", "Dylan Rees", "cy", "uses_services"),
    ("citizen08@demo.deliberate.cymru", "Helen Matthews", "en", "resident"),
    ("citizen09@demo.deliberate.cymru", "Iwan Thomas", "cy", "resident"),
    ("citizen10@demo.deliberate.cymru", "Priya Shah", "en", "practitioner"),
    ("citizen11@demo.deliberate.cymru", "Gwenllian Lloyd", "cy", "carer"),
    ("citizen12@demo.deliberate.cymru", "Jamie Hughes", "en", "uses_services"),
    ("citizen13@demo.deliberate.cymru", "Ann Roberts", "en", "carer"),
    ("citizen14@demo.deliberate.cymru", "Owain Price", "en", "uses_services"),
    ("citizen15@demo.deliberate.cymru", "Nia Griffiths", "cy", "practitioner"),
    ("citizen16@demo.deliberate.cymru", "Chris Bennett", "en", "resident"),
    ("citizen17@demo.deliberate.cymru", "Mari Owen", "cy", "resident"),
    ("citizen18@demo.deliberate.cymru", "Kate Wilson", "en", "practitioner"),
    ("citizen19@demo.deliberate.cymru", "Robert Jones", "en", "carer"),
    ("citizen20@demo.deliberate.cymru", "Emma Powell", "en", "uses_services"),
]

_PROPOSALS: list[dict[str, Any]] = [
    # 0
    {
        "title": "A community café in Aberystwyth with real, paid jobs",
        "body": (
            "My son is 24 and has been going to the same day centre since he left "
            "college. He enjoys it, but he wants what his friends from school have: a "
            "job and a wage.\n\n"
            "I'd like the council to help set up a community café in Aberystwyth, run "
            "as a social enterprise, where adults with learning disabilities are "
            'employed and paid properly, not just "volunteering".\n\n'
            "- Paid jobs of a few hours a week, with a job coach on site\n"
            "- Training in food hygiene, using the till and customer service\n"
            "- Open to everyone, so people get to know each other\n\n"
            "There are cafés like this elsewhere in Wales and they are well used. "
            'People would be seen as workers and neighbours, not as "service users".'
        ),
        "language": "en",
        "category": "skills_work",
        "estimated_cost": 180_000,
        "assets": [
            ("skill", "I ran a catering business for 12 years and would help with training"),
            ("place", "There are empty shop units in the town centre that could be rented"),
        ],
        "author": 5,
        "supporters": [0, 1, 2, 3, 4, 6, 8, 10, 11, 13, 16, 17, 19],
        "answer": (
            "taken_forward",
            (
                "Shortlisted for the citizens' panel. Paid work was one of the most "
                'common themes in our "what matters" conversations, and the panel will '
                "look at how a café could run as a social enterprise."
            ),
        ),
    },
    # 1
    {
        "title": "Lleoliadau gwaith â thâl ar ffermydd lleol",
        "body": (
            "Rwy'n ffermio ger Tregaron ac mae gen i gymydog ifanc ag anabledd dysgu "
            "sydd wrth ei fodd gyda'r anifeiliaid. Mae e'n dod draw i helpu gyda'r "
            "ŵyn bob gwanwyn, ac mae e'n weithiwr da iawn.\n\n"
            "Hoffwn weld cynllun sy'n cysylltu oedolion ag anableddau dysgu â "
            "ffermydd a busnesau gwledig sy'n barod i'w cyflogi, gyda hyfforddwr "
            "swydd i'w cefnogi ar y dechrau.\n\n"
            "- Gwaith gydag anifeiliaid, garddwriaeth, ffensio a chynnal a chadw\n"
            "- Cyflog go iawn, nid profiad gwaith yn unig\n"
            "- Help i'r ffermwr gydag yswiriant ac asesiadau risg\n\n"
            "Mae llawer o ffermwyr yn yr ardal yn brin o weithwyr. Gallai hyn fod o "
            "les i bawb."
        ),
        "language": "cy",
        "category": "skills_work",
        "estimated_cost": 95_000,
        "assets": [
            (
                "people",
                "Tri ffermwr yn ardal Tregaron sydd wedi dweud y bydden nhw'n cymryd rhan",
            ),
            ("group", "Clwb Ffermwyr Ifanc lleol, sy'n awyddus i helpu"),
        ],
        "author": 8,
        "supporters": [0, 2, 3, 4, 5, 6, 10, 13, 14],
        "answer": (
            "taken_forward",
            (
                "Shortlisted for the citizens' panel. This fits well with supported "
                "employment, and with rural areas where a day centre can be a long way "
                "from home."
            ),
        ),
    },
    # 2
    {
        "title": "Travel training so I can get the bus on my own",
        "body": (
            "I live in Llanon and I want to get to Aberystwyth by myself. At the "
            "moment I have to wait for my mum or for the day centre transport. I am "
            "29. I want to go to town when I want.\n\n"
            "I would like someone to teach me:\n\n"
            "- how to read the timetable and use the bus app\n"
            "- what to do if the bus is late or does not come\n"
            "- how to keep safe and who to phone\n\n"
            "My friend had travel training in another county and now she goes to work "
            "on the bus every day. I think lots of people here would like this too. "
            "It would also save money on taxis."
        ),
        "language": "en",
        "category": "transport",
        "estimated_cost": 42_000,
        "assets": [
            ("skill", "I know the coast road bus times very well and could help other people"),
        ],
        "author": 11,
        "supporters": [0, 2, 4, 6, 10, 12, 13, 15, 17, 19],
        "answer": (
            "taken_forward",
            (
                "Shortlisted for the citizens' panel. Travel training builds independence "
                "and can reduce the need for taxis. The panel will consider it together "
                "with the similar proposal about learning to use the buses."
            ),
        ),
    },
    # 3
    {
        "title": "A minibus for the villages around Tregaron and Lampeter",
        "body": (
            "We live six miles outside Tregaron. There is no bus that gets my "
            "daughter to anything in the morning and back again at a sensible time, "
            "so either I drive her or she stays at home.\n\n"
            "Travel training is a good idea, but it only works where there are buses. "
            "For families in the villages we need:\n\n"
            "- a small accessible minibus that does a morning and an afternoon run\n"
            "- pick-ups from the house, or the village, for people who can't walk far\n"
            "- the option to use it for evening activities once or twice a week\n\n"
            "Could it be shared with other groups, like the community car scheme or "
            "older people's lunch clubs, so that it is used all day?"
        ),
        "language": "en",
        "category": "transport",
        "estimated_cost": 135_000,
        "assets": [
            ("group", "The community car scheme volunteers already know the rural roads"),
            ("skill", "I hold a D1 minibus licence and could drive some evenings"),
        ],
        "author": 12,
        "supporters": [1, 5, 7, 9, 11, 16, 18],
        "answer": (
            "under_consideration",
            (
                "We are looking at costs, and at whether a minibus could be shared with "
                "existing community transport schemes. We aim to reply before the "
                "proposals stage closes."
            ),
        ),
    },
    # 4
    {
        "title": "Mwy o weithgareddau drwy gyfrwng y Gymraeg",
        "body": (
            "Cymraeg yw iaith gyntaf fy mrawd, Gwion. Mae'n deall Saesneg, ond mae'n "
            "ymlacio ac yn siarad llawer mwy pan fydd pobl yn siarad Cymraeg ag e. Yn "
            "aml, does neb yn y ganolfan ddydd sy'n gallu gwneud hynny.\n\n"
            "Dylai pobl gael gwasanaeth yn eu dewis iaith heb orfod gofyn amdano. "
            'Dyma\'r "cynnig rhagweithiol" y mae "Mwy na Geiriau" yn sôn amdano. '
            "Hoffwn weld:\n\n"
            "- staff sy'n siarad Cymraeg ym mhob canolfan, yn gwisgo bathodyn i "
            "ddangos hynny\n"
            "- sesiynau wythnosol yn Gymraeg, fel canu, coginio a chwis\n"
            "- cysylltiadau gyda'r Urdd, y Ffermwyr Ifanc a chymdeithasau lleol\n\n"
            "Mae hyn yn ymwneud ag urddas, nid iaith yn unig."
        ),
        "language": "cy",
        "category": "arts_culture",
        "estimated_cost": 30_000,
        "assets": [
            (
                "skill",
                "Rwy'n athrawes wedi ymddeol a gallwn helpu gyda sesiynau darllen yn Gymraeg",
            ),
            ("group", "Côr a chymdeithas lenyddol leol sy'n fodlon croesawu aelodau newydd"),
        ],
        "author": 0,
        "supporters": [1, 2, 4, 6, 7, 8, 10, 14, 16],
        "answer": (
            "taken_forward",
            (
                "Shortlisted for the citizens' panel. Social care services in Wales are "
                "expected to offer Welsh without people having to ask, and the panel will "
                "look at how to do this well across all day opportunities."
            ),
        ),
    },
    # 5
    {
        "title": "An evening and weekend social club in Aberystwyth",
        "body": (
            "Everything for us finishes at 3 o'clock. After that, and at weekends, I "
            "am mostly at home watching TV. I am 34 and I want a social life like "
            "everyone else.\n\n"
            "I would like a club that meets in the evening and on Saturdays, where we "
            "can:\n\n"
            "- go bowling, to the cinema or out for a meal\n"
            "- have a disco or a karaoke night\n"
            "- go to football matches and gigs with support\n\n"
            "It should be run with us, not for us. We could have a committee of "
            "members who choose what to do each month. Staff would need to work "
            "different hours, but the money could come from some of the daytime hours "
            "that people don't really want."
        ),
        "language": "en",
        "category": "friendships",
        "estimated_cost": 65_000,
        "assets": [
            ("people", "Me and four friends would be on the committee"),
            ("skill", "I am good at making posters and Facebook posts"),
        ],
        "author": 19,
        "supporters": [1, 2, 4, 5, 6, 7, 8, 10, 12, 13, 14, 18],
        "answer": (
            "taken_forward",
            (
                "Shortlisted for the citizens' panel. Many people told us that loneliness "
                "in the evenings and at weekends is one of their biggest worries."
            ),
        ),
    },
    # 6
    {
        "title": "Changing Places toilets in Aberaeron and Cardigan",
        "body": (
            "My son Carwyn uses a wheelchair and needs a hoist and a full-size "
            "changing bench. Standard accessible toilets are no good for him. When "
            "there is no Changing Places toilet nearby, a day out has to be cut short "
            "after two or three hours, or we can't go at all.\n\n"
            "There are very few of these toilets in the county, and along the coast "
            "and in the south the choice is very limited. Two new Changing Places "
            "toilets, one in Aberaeron and one in Cardigan, would open up:\n\n"
            "- the harbours and beaches for outdoor activities\n"
            "- the shops and cafés for travel and money skills\n"
            "- longer sessions at the leisure centres\n\n"
            "This is about dignity. Nobody should have to be changed on a toilet "
            "floor."
        ),
        "language": "en",
        "category": "community_activities",
        "estimated_cost": 320_000,
        "assets": [
            ("group", "A parents' group that has mapped accessible toilets along the coast"),
        ],
        "author": 18,
        "supporters": [1, 3, 6, 7, 11, 13, 15],
        "answer": (
            "not_taken_forward",
            (
                "Thank you for raising this. New Changing Places toilets are building "
                "projects, so they cannot be paid for from this yearly budget for day "
                "opportunities. We have passed your proposal, and the two locations you "
                "suggest, to the council's property and access teams, who look at capital "
                "funding for accessible toilets. We will post an update here when we hear "
                "back."
            ),
        ),
    },
    # 7
    {
        "title": "Short breaks for family carers, planned with us",
        "body": (
            "I have cared for my daughter, who has Down's syndrome, for 31 years. I "
            "love her dearly, but I am 67 and tired. The only break I get is the "
            "hours she spends at the day centre, and that is not a real rest.\n\n"
            "What would help:\n\n"
            "- a few overnight short breaks a year, booked well ahead so I can plan\n"
            "- emergency cover if I am ill or in hospital\n"
            "- breaks that my daughter enjoys too, like a weekend away with friends, "
            "not just a bed somewhere\n\n"
            "A break for me has to be a good experience for her, otherwise I can't "
            "relax. Carers like me save the council a great deal. A little support "
            "now keeps families together for longer."
        ),
        "language": "en",
        "category": "carers_support",
        "estimated_cost": 250_000,
        "assets": [
            ("group", "The carers' group in Lampeter meets monthly and would help plan this"),
        ],
        "author": 10,
        "supporters": [0, 3, 5, 7, 9, 12, 14, 15, 16, 17, 18],
        "answer": (
            "taken_forward",
            (
                "Shortlisted for the citizens' panel. Short breaks are part of this "
                "commissioning, and the panel will look at how they can be planned with "
                "families and be a good experience for the person who is cared for, too."
            ),
        ),
    },
    # 8
    {
        "title": "Swimming and sport sessions every week",
        "body": (
            "I like swimming and football. I used to swim at the leisure centre with "
            "the day centre, but it stopped when the staff changed.\n\n"
            "I want:\n\n"
            "- swimming every week, with a changing room big enough for me and my "
            "support worker\n"
            "- a football or walking football team we can join\n"
            "- boccia and new age kurling for people who can't run\n\n"
            "Sport makes me feel happy and it helps with my weight. I also want to "
            "play against other teams, like in the Special Olympics. My friends in "
            "Cardigan want this too."
        ),
        "language": "en",
        "category": "health_wellbeing",
        "estimated_cost": 24_000,
        "assets": [
            ("people", "A coach at my old football club said he would help start a team"),
        ],
        "author": 13,
        "supporters": [0, 3, 5, 10, 17],
        "answer": None,
    },
    # 9
    {
        "title": "Sgiliau digidol: ffonau, tabledi a chadw'n ddiogel ar-lein",
        "body": (
            "Rwy'n gweithio fel gweithiwr cymorth yn Aberaeron. Mae llawer o'r bobl "
            "rwy'n eu cefnogi eisiau defnyddio eu ffonau a'u tabledi yn well, ond "
            "does dim amser i'w dysgu'n iawn.\n\n"
            "Byddai cwrs byr, hwyliog yn helpu pobl i:\n\n"
            "- wneud galwadau fideo gyda theulu a ffrindiau\n"
            "- defnyddio apiau bysiau, banc a siopa\n"
            "- adnabod negeseuon twyllodrus a chadw'n ddiogel ar gyfryngau "
            "cymdeithasol\n\n"
            "Gallai'r sesiynau gael eu cynnal yn y llyfrgell neu yn y ganolfan ddydd, "
            "yn Gymraeg ac yn Saesneg. Byddai cynllun benthyg tabledi hefyd o help i "
            "bobl sydd heb un gartref."
        ),
        "language": "cy",
        "category": "skills_work",
        "estimated_cost": 18_000,
        "assets": [
            (
                "place",
                "Mae gan y llyfrgell yn Aberaeron Wi-Fi am ddim ac ystafell fach i grwpiau",
            ),
            ("skill", "Mae dau aelod o'n staff wedi cael hyfforddiant fel hyrwyddwyr digidol"),
        ],
        "author": 14,
        "supporters": [0, 8, 16],
        "answer": (
            "under_consideration",
            (
                "We are checking what digital skills support the libraries and adult "
                "learning services already offer, so that we add to it rather than "
                "duplicate it."
            ),
        ),
    },
    # 10
    {
        "title": "A shared allotment and growing project in Lampeter",
        "body": (
            "I'm an occupational therapist. Some of the calmest, happiest days I've "
            "seen at work were spent outdoors, planting and harvesting. Gardening "
            "builds strength, confidence and routine, and it gives people something "
            "to show for their week.\n\n"
            "My idea is a growing project on a shared allotment, or a corner of a "
            "farm, near Lampeter:\n\n"
            "- raised beds so that wheelchair users can take part\n"
            "- growing vegetables to cook at home or to sell at the market\n"
            "- working alongside local volunteers and allotment holders\n\n"
            "Produce could go to the community café if that idea goes ahead, which "
            "would link the two. A polytunnel would mean we could keep going through "
            "the winter."
        ),
        "language": "en",
        "category": "community_activities",
        "estimated_cost": 35_000,
        "assets": [
            ("place", "The allotment society has two plots free at the moment"),
            ("people", "Retired gardeners from the allotment society have offered to help"),
        ],
        "author": 9,
        "supporters": [7, 8, 12, 13, 15, 19],
        "answer": None,
    },
    # 11
    {
        "title": "An inclusive drama and music group in Cardigan",
        "body": (
            "I run community theatre workshops in south Ceredigion. A few years ago "
            "we did a project with adults from a day centre in Cardigan, and it was "
            "one of the best things I've worked on. Several people who were very "
            "quiet at the start ended up performing in front of an audience of 200.\n\n"
            "I'd like to see a regular weekly drama and music group:\n\n"
            "- open to anyone, with or without a learning disability\n"
            "- working towards a show each year, in Welsh and English\n"
            "- with members taking roles behind the scenes too: lighting, sound, "
            "front of house\n\n"
            "Arts projects tend to get short-term funding and then stop. A steady "
            "group would give people something to belong to."
        ),
        "language": "en",
        "category": "arts_culture",
        "estimated_cost": None,
        "assets": [
            ("skill", "Theatre and workshop skills, plus links with local musicians"),
            ("place", "A rehearsal room in Cardigan that is free on Tuesday evenings"),
        ],
        "author": 15,
        "supporters": [3, 12, 13, 14],
        "answer": None,
    },
    # 12
    {
        "title": "Support for people with a learning disability as they get older",
        "body": (
            "I'm a community learning disability nurse. People with learning "
            "disabilities are living longer, which is good news, but day services "
            "haven't really caught up. People with Down's syndrome can develop "
            "dementia earlier than the general population, often in their fifties.\n\n"
            "I'd like the new service to plan for this:\n\n"
            "- staff trained to notice early signs of dementia and other changes\n"
            "- quieter, slower-paced sessions for older people who find busy centres "
            "tiring\n"
            "- links with memory services so that no one falls through the gaps\n"
            "- support for older parent carers, who are often ageing alongside their "
            "son or daughter\n\n"
            "Planning early means people can stay in their community, with familiar "
            "faces, for longer."
        ),
        "language": "en",
        "category": "health_wellbeing",
        "estimated_cost": None,
        "assets": [
            ("skill", "Our team can offer dementia awareness training for day service staff"),
        ],
        "author": 17,
        "supporters": [9, 11],
        "answer": None,
    },
    # 13
    {
        "title": "People who use the service should help choose the staff",
        "body": (
            "The staff are the most important part of the service. If I get on with "
            "my support worker, I have a good day. If I don't, I have a bad day.\n\n"
            "I want people like me to be on the interview panel when staff are "
            "chosen. We could:\n\n"
            "- write some of the interview questions\n"
            "- meet the people applying and see how they talk to us\n"
            "- tell the manager what we think\n\n"
            "Some places do this already, and it works. We would need a bit of "
            "training, and to be paid for our time like other people on the panel. It "
            "doesn't have to cost much, but it makes a big difference."
        ),
        "language": "en",
        "category": "independence",
        "estimated_cost": None,
        "assets": [
            ("people", "Members of the self-advocacy group have done interview training before"),
        ],
        "author": 1,
        "supporters": [4, 6, 9, 11, 14, 15, 17],
        "answer": (
            "taken_forward",
            (
                "Taken forward. This costs little and puts voice and control into "
                "practice. The new specification will ask providers to involve people who "
                "use the service in recruiting their staff."
            ),
        ),
    },
    # 14
    {
        "title": "Help i ddefnyddio taliadau uniongyrchol",
        "body": (
            "Rwy'n defnyddio taliadau uniongyrchol ers dwy flynedd. Rwy'n cyflogi "
            "cynorthwyydd personol sy'n dod gyda fi i'r gampfa ac i'r gwaith "
            "gwirfoddol. Mae'n wych, achos fi sy'n dewis beth i'w wneud.\n\n"
            "Ond roedd y dechrau'n anodd iawn. Roedd llawer o waith papur a doeddwn i "
            "ddim yn deall popeth. Dydy llawer o fy ffrindiau ddim eisiau trio, achos "
            "mae'n edrych yn rhy gymhleth.\n\n"
            "Hoffwn weld:\n\n"
            "- gwybodaeth hawdd ei darllen, yn Gymraeg ac yn Saesneg\n"
            "- rhywun i helpu gyda'r cyflogau a'r gwaith papur\n"
            "- help i ddod o hyd i gynorthwywyr personol sy'n siarad Cymraeg\n\n"
            "Dylai pawb gael y dewis, nid dim ond pobl sydd â theulu i'w helpu."
        ),
        "language": "cy",
        "category": "independence",
        "estimated_cost": 48_000,
        "assets": [
            (
                "skill",
                "Gallwn i sôn wrth bobl eraill am sut mae taliadau uniongyrchol yn gweithio i fi",
            ),
        ],
        "author": 6,
        "supporters": [4, 14, 16, 18],
        "answer": (
            "under_consideration",
            (
                "We are talking to the direct payments support service about what extra "
                "help would make the biggest difference, including finding Welsh-speaking "
                "personal assistants."
            ),
        ),
    },
    # 15
    {
        "title": "Support with friendships, relationships and dating",
        "body": (
            "I've been a support worker in Aberystwyth for 15 years. The thing people "
            "talk to me about most isn't activities: it's loneliness. Many of the "
            "adults I support have lots of staff in their lives but very few friends, "
            "and some would love a partner but don't know where to start.\n\n"
            "I'd like the service to take friendships and relationships as seriously "
            "as any other outcome:\n\n"
            "- a friendship and dating group, with safe, supported meet-ups\n"
            "- relationships and sex education in plain language\n"
            "- staff who feel confident supporting relationships, instead of quietly "
            "discouraging them\n"
            "- help to keep friendships going after people leave college\n\n"
            "There are friendship and dating agencies for people with learning "
            "disabilities in other parts of the UK that we could learn from."
        ),
        "language": "en",
        "category": "friendships",
        "estimated_cost": 22_000,
        "assets": [
            ("skill", "Two of our staff have trained in relationships and sexuality education"),
        ],
        "author": 3,
        "supporters": [1, 2, 10, 12, 16, 18],
        "answer": None,
    },
    # 16
    {
        "title": "Learning to live more independently: cooking, money and a training flat",
        "body": (
            "I manage a supported living service. Many people could live more "
            "independently if they had the chance to practise everyday skills in a "
            "real home, not in a day centre kitchen.\n\n"
            "My proposal is a training flat in Aberystwyth where people can spend "
            "days, and later short stays, learning:\n\n"
            "- shopping on a budget and cooking simple meals\n"
            "- paying bills and using a bank card\n"
            "- using the washing machine and keeping the flat clean and safe\n"
            "- what to do if something goes wrong, like a power cut\n\n"
            "People would work towards their own goals, at their own pace. For some, "
            "this could be the first step to moving out of the family home in a "
            "planned way, rather than in a crisis."
        ),
        "language": "en",
        "category": "independence",
        "estimated_cost": 85_000,
        "assets": [
            (
                "place",
                (
                    "A housing association has a ground-floor flat in Aberystwyth that could "
                    "be leased"
                ),
            ),
            ("skill", "Our staff team already uses a skills checklist that we could share"),
        ],
        "author": 4,
        "supporters": [2, 6, 9, 13, 17, 18, 19],
        "answer": (
            "taken_forward",
            (
                "Shortlisted for the citizens' panel, which will look at location and "
                "running costs with the council's housing team."
            ),
        ),
    },
    # 17
    {
        "title": "Annual health checks at the day centre",
        "body": (
            "I'm a retired practice nurse living near Aberaeron. Adults with a "
            "learning disability are entitled to an annual health check, but many "
            "don't have one. Appointments can be hard to get to, surgeries can be "
            "noisy and stressful, and letters are not always in easy read.\n\n"
            "I suggest that nurses come to day centres to do health checks where "
            "people feel comfortable, with staff they know:\n\n"
            "- blood pressure, weight, eyesight, hearing and teeth\n"
            "- a health action plan written in easy read\n"
            "- reminders about screening and vaccinations\n\n"
            "This would catch problems early and could prevent some hospital "
            "admissions."
        ),
        "language": "en",
        "category": "health_wellbeing",
        "estimated_cost": None,
        "assets": [
            (
                "skill",
                "I am a retired practice nurse and could help people prepare for their check",
            ),
        ],
        "author": 7,
        "supporters": [1, 10, 14],
        "answer": (
            "not_taken_forward",
            (
                "Thank you, this is an important point. Annual health checks are provided "
                "by GP practices and the health board, so they are not something this day "
                "opportunities budget can pay for. We have passed your proposal to the "
                "health board's learning disability team, who are looking at offering "
                "checks in community settings. The new service specification will expect "
                "day services to help people book and get to their health check."
            ),
        ),
    },
    # 18
    {
        "title": "Gweithgareddau awyr agored ar yr arfordir",
        "body": (
            "Rwy'n byw yng Nghei Newydd ac rwy'n caru'r môr. Hoffwn wneud mwy o "
            "bethau y tu allan, yn lle aros yn yr adeilad drwy'r dydd.\n\n"
            "Syniadau:\n\n"
            "- cerdded ar Lwybr Arfordir Cymru, gyda theithiau byr ac araf hefyd\n"
            "- padlfyrddio a chaiacio gyda hyfforddwyr sy'n deall anableddau dysgu\n"
            "- gwylio dolffiniaid o'r harbwr\n"
            "- glanhau'r traeth gyda grwpiau lleol\n\n"
            "Pan fydda i yn yr awyr agored, rwy'n teimlo'n hapus ac yn dawel. Mae'n "
            "dda i'r corff a'r meddwl. Mae angen offer addas hefyd, fel siacedi achub "
            "a chadair olwyn traeth."
        ),
        "language": "cy",
        "category": "community_activities",
        "estimated_cost": 40_000,
        "assets": [
            ("group", "Grŵp glanhau traethau lleol sy'n croesawu gwirfoddolwyr newydd"),
            ("place", "Canolfan chwaraeon dŵr yng Nghei Newydd"),
        ],
        "author": 2,
        "supporters": [4, 6, 8, 10, 16],
        "answer": None,
    },
    # 19
    {
        "title": "Côr i bawb yn Llanbedr Pont Steffan",
        "body": (
            "Rwy'n arwain côr cymunedol yn Llanbedr Pont Steffan. Mae dau aelod ag "
            "anableddau dysgu wedi ymuno â ni eleni, ac maen nhw wedi dod â chymaint "
            "o hwyl i'r côr.\n\n"
            "Hoffwn sefydlu côr cynhwysol, lle mae croeso i bawb, beth bynnag yw eu "
            "gallu:\n\n"
            "- ymarfer unwaith yr wythnos, yn gynnar yn y prynhawn\n"
            "- caneuon Cymraeg a Saesneg, gydag arwyddion Makaton\n"
            "- perfformio yn yr eisteddfod leol ac mewn cyngherddau Nadolig\n\n"
            "Y cyfan sydd ei angen yw ychydig o arian ar gyfer cyfeilydd, llogi'r "
            "neuadd a help gyda thrafnidiaeth. Mae canu gyda'n gilydd yn creu "
            "ffrindiau."
        ),
        "language": "cy",
        "category": "arts_culture",
        "estimated_cost": 9000,
        "assets": [
            (
                "group",
                "Aelodau'r côr cymunedol, sy'n barod i ganu ochr yn ochr â'r aelodau newydd",
            ),
            ("skill", "Rwy'n gallu defnyddio Makaton"),
        ],
        "author": 16,
        "supporters": [8, 18],
        "answer": None,
    },
    # 20
    {
        "title": "Day services that fit around working families",
        "body": (
            "My wife and I both work. Our son's day service runs from about 9:30 to "
            "3, with transport, and is closed for two weeks at Christmas and on bank "
            "holidays. That leaves us juggling every single week, and my wife has "
            "already cut her hours.\n\n"
            "I'm not asking for longer days in a building. I'm asking for "
            "flexibility:\n\n"
            "- some sessions that run until 5 or 5:30\n"
            "- activities in the school holidays and on bank holidays\n"
            "- the option to swap a weekday for a Saturday\n\n"
            "Carers who can keep working are less likely to reach crisis point. "
            "Offering a choice about when support happens, not just what it is, would "
            "make a real difference to families like ours."
        ),
        "language": "en",
        "category": "carers_support",
        "estimated_cost": 110_000,
        "assets": [],
        "author": 18,
        "supporters": [2, 3, 4, 5, 11, 12],
        "answer": None,
    },
    # 21
    {
        "title": "Things to do in the evenings and at weekends",
        "body": (
            "I go to the day centre Monday to Thursday. I like it. But in the "
            "evenings and at the weekend there is nothing for me to do. My mum is "
            "getting older and she doesn't like driving in the dark.\n\n"
            "I would like to go out with my friends in the evening, maybe to a pub "
            "quiz, the pictures or a disco. And on Saturdays to the football or the "
            "beach.\n\n"
            "We need staff who work in the evenings, and someone to take us home "
            "after. I think lots of people feel lonely at the weekend."
        ),
        "language": "en",
        "category": "friendships",
        "estimated_cost": None,
        "assets": [],
        "author": 1,
        "supporters": [9],
        "answer": None,
        "duplicate_of": 5,
    },
    # 22
    {
        "title": "A peer advocacy group: speaking up for ourselves",
        "body": (
            "I went to a self-advocacy group when I lived in Carmarthen. We learnt "
            "about our rights and how to speak up in meetings. It gave me a lot of "
            "confidence. There isn't a group like that near me now.\n\n"
            "I want a peer advocacy group in Ceredigion, run by people with learning "
            "disabilities, with a paid supporter. The group could:\n\n"
            "- meet every month in Aberystwyth, with a video link for people in the "
            "south of the county\n"
            "- help people to speak up at their reviews\n"
            "- check that letters and information from the council are easy to "
            "understand\n"
            "- take part in the citizens' panel and the co-design of this service\n\n"
            "Nothing about us without us."
        ),
        "language": "en",
        "category": "independence",
        "estimated_cost": 30_000,
        "assets": [
            ("people", "Three people I know would like to be members"),
            ("skill", "I have chaired meetings before"),
        ],
        "author": 13,
        "supporters": [3, 14, 15, 19],
        "answer": (
            "under_consideration",
            (
                "We are looking at whether this could be funded together with the "
                "advocacy services the council already commissions."
            ),
        ),
    },
    # 23
    {
        "title": "Smaller groups in village halls, closer to home",
        "body": (
            "I live near Llandysul. For people here, going to a day centre can mean "
            "an hour on a bus each way, while many village halls sit empty most "
            "weekdays.\n\n"
            "Could part of the budget fund smaller groups of six or eight people, "
            "meeting in local halls and chapel vestries a few days a week? They could "
            "do whatever the group chooses: cooking lunch, crafts, a walk, a quiz, "
            "helping with the hall's own events.\n\n"
            "This would:\n\n"
            "- cut travel time and cost\n"
            "- help people become part of their own community\n"
            "- keep village halls in use, which helps everyone\n\n"
            "Some halls would need help with accessible toilets and heating, but many "
            "are already in decent shape."
        ),
        "language": "en",
        "category": "community_activities",
        "estimated_cost": None,
        "assets": [
            (
                "place",
                (
                    "Our village hall near Llandysul is free on weekday mornings and has "
                    "level access"
                ),
            ),
            ("group", "The hall committee would welcome a regular booking"),
        ],
        "author": 7,
        "supporters": [1, 13],
        "answer": None,
    },
    # 24
    {
        "title": "Grŵp cymorth Cymraeg i rieni sy'n ofalwyr",
        "body": (
            "Rwy'n mynd i grŵp gofalwyr yn Aberystwyth, ond Saesneg yw'r iaith bob "
            "tro. Mae'n anodd siarad am bethau personol a theimladau mewn ail iaith.\n\n"
            "Hoffwn weld grŵp cymorth Cymraeg i rieni a gofalwyr teulu, sy'n cwrdd "
            "unwaith y mis yn Llanbedr Pont Steffan neu yn Aberaeron. Byddai'n "
            "cynnig:\n\n"
            "- paned, sgwrs a chefnogaeth gan bobl sy'n deall\n"
            "- gwybodaeth am hawliau gofalwyr, fel yr hawl i asesiad o anghenion "
            "gofalwr\n"
            "- sesiynau ar gynllunio ar gyfer y dyfodol, pan na fyddwn ni'n gallu "
            "gofalu rhagor\n\n"
            "Mae llawer o ofalwyr hŷn yng nghefn gwlad Ceredigion sy'n teimlo'n unig "
            "iawn."
        ),
        "language": "cy",
        "category": "carers_support",
        "estimated_cost": None,
        "assets": [],
        "author": 10,
        "supporters": [0, 5, 8],
        "answer": None,
    },
    # 25
    {
        "title": "My own flat in Aberaeron, near my family",
        "body": (
            "I live with my mum and dad in Aberaeron. I am 34 and I want my own flat, "
            "like my sister has. I want to stay near my family and my friends, not "
            "move to Aberystwyth.\n\n"
            "I would need some support, like help with money and cooking, and someone "
            "to call at night if I am worried.\n\n"
            "There should be more flats with support in small towns, not just the big "
            "ones. Then people can live near the people they love."
        ),
        "language": "en",
        "category": "independence",
        "estimated_cost": None,
        "assets": [],
        "author": 19,
        "supporters": [1, 2, 9, 16, 18],
        "answer": (
            "not_taken_forward",
            (
                "Thank you for telling us about this. Support to live in your own home is "
                "commissioned separately by the council's housing and social care teams, "
                "including through the Housing Support Grant, so it cannot be paid for "
                "from this day opportunities budget. We have passed your proposal to the "
                "housing team. The independent living skills proposal, which has been "
                "taken forward, could help people get ready for a move like this."
            ),
        ),
    },
    # 26
    {
        "title": "Teach people how to use the buses by themselves",
        "body": (
            "Lots of us could travel on our own if someone showed us how. I would "
            "like a travel buddy to come with me on the bus a few times until I feel "
            "confident, then follow behind me, and then let me go on my own.\n\n"
            "Things to learn: using my bus pass, where to get off, and what to do if "
            "I get lost. A card with my phone number and my mum's number would help "
            "too.\n\n"
            "Then I don't have to wait for a lift, and I can go to the gym when I "
            "want."
        ),
        "language": "en",
        "category": "transport",
        "estimated_cost": None,
        "assets": [],
        "author": 6,
        "supporters": [],
        "answer": None,
        "duplicate_of": 2,
    },
    # 27
    {
        "title": "Free bus travel for the person supporting me",
        "body": (
            "My daughter has a bus pass, but when she travels with her support "
            "worker, the support worker has to pay. On a return trip from Tregaron to "
            "Aberystwyth that adds up quickly, and it sometimes means trips are cut "
            "short or done by car instead.\n\n"
            "Could the council make travel free for support workers and personal "
            "assistants who are travelling with someone? It would:\n\n"
            "- make bus trips cheaper than driving\n"
            "- help people practise using buses with support\n"
            "- be fairer for people who need a companion to travel"
        ),
        "language": "en",
        "category": "transport",
        "estimated_cost": None,
        "assets": [],
        "author": 12,
        "supporters": [0, 5, 8, 11, 15],
        "answer": (
            "not_taken_forward",
            (
                "Thank you. Bus passes, including passes that let a companion travel "
                "free, are part of the national concessionary travel scheme run by "
                "Transport for Wales for the Welsh Government. The council cannot change "
                "who qualifies through this commissioning. The new service will be "
                "expected to help people check whether they can get a companion pass, and "
                "to apply for one."
            ),
        ),
    },
    # 28
    {
        "title": "Siop grefftau yn Aberteifi i werthu gwaith pobl leol",
        "body": (
            "Rwy'n gweithio mewn canolfan ddydd yn ne'r sir. Mae'r bobl rwy'n eu "
            "cefnogi yn gwneud pethau hyfryd: gwaith coed, canhwyllau, cardiau a "
            "chrochenwaith. Ar hyn o bryd, mae'r cyfan yn cael ei werthu mewn ffair "
            "Nadolig unwaith y flwyddyn.\n\n"
            "Hoffwn weld siop fach yng nghanol Aberteifi, lle byddai pobl ag "
            "anableddau dysgu yn:\n\n"
            "- gwneud a gwerthu eu gwaith eu hunain\n"
            "- dysgu trin arian, defnyddio'r til a siarad â chwsmeriaid\n"
            "- ennill cyflog am eu gwaith\n\n"
            "Gallai'r siop hefyd werthu gwaith artistiaid lleol eraill, fel ei bod yn "
            "rhan go iawn o'r stryd fawr."
        ),
        "language": "cy",
        "category": "skills_work",
        "estimated_cost": 60_000,
        "assets": [
            ("skill", "Mae gennym ni weithdy gwaith coed ac odyn yn y ganolfan ddydd"),
            ("people", "Perchennog siop leol sy'n fodlon rhannu cyngor am redeg siop"),
        ],
        "author": 4,
        "supporters": [0, 5, 11],
        "answer": (
            "under_consideration",
            (
                "We are looking at whether this could be combined with the community café "
                "proposal, which has been shortlisted."
            ),
        ),
    },
    # 29
    {
        "title": "A plan for what happens if I can't care",
        "body": (
            "Every carer I know worries about the same thing: what happens to my "
            "brother if I'm suddenly taken ill? If I were rushed into hospital "
            "tonight, nobody would know his routines, his medication, or that he "
            "needs things explained in Welsh.\n\n"
            "I'd like the service to help every family write an emergency plan, kept "
            "up to date and shared with the right people:\n\n"
            "- a one-page profile: what matters to him and how to support him well\n"
            "- named people to call, and a back-up place he already knows and trusts\n"
            "- a carer's emergency card to keep in my purse\n\n"
            "It costs very little, and it would help many of us sleep better."
        ),
        "language": "en",
        "category": "carers_support",
        "estimated_cost": 12_000,
        "assets": [],
        "author": 0,
        "supporters": [18, 19],
        "answer": None,
    },
]

# A cycle in the `proposals` stage: citizens propose and support ideas.
CYCLE_PROPOSALS: dict[str, Any] = {
    "slug": "day-opportunities-ceredigion-2027",
    "organisation": "ceredigion",
    "title_en": "Day opportunities for adults with learning disabilities, Ceredigion 2027–2030",
    "title_cy": "Cyfleoedd dydd i oedolion ag anableddau dysgu, Ceredigion 2027–2030",
    "summary_en": (
        "Ceredigion County Council is planning how day opportunities for adults "
        "with learning disabilities will be provided from April 2027. Before we "
        "write the service specification, we want to hear what matters to the "
        "people who use these services, their families and carers, the people who "
        "support them and the wider community. The Social Services and Well-being "
        "(Wales) Act 2014 asks that services give people voice and control, are "
        "co-produced with them, and support prevention and well-being. Your "
        "proposals, and the citizens' panel that considers them, will help shape "
        "what we commission."
    ),
    "summary_cy": (
        "Mae Cyngor Sir Ceredigion yn cynllunio sut y bydd cyfleoedd dydd i "
        "oedolion ag anableddau dysgu yn cael eu darparu o fis Ebrill 2027 "
        "ymlaen. Cyn i ni ysgrifennu manyleb y gwasanaeth, rydym am glywed beth "
        "sy'n bwysig i'r bobl sy'n defnyddio'r gwasanaethau hyn, eu teuluoedd a'u "
        "gofalwyr, y bobl sy'n eu cefnogi a'r gymuned ehangach. Mae Deddf "
        "Gwasanaethau Cymdeithasol a Llesiant (Cymru) 2014 yn gofyn i wasanaethau "
        "roi llais a rheolaeth i bobl, cael eu cydgynhyrchu gyda nhw, a chefnogi "
        "atal a llesiant. Bydd eich cynigion, a'r panel dinasyddion sy'n eu "
        "hystyried, yn helpu i lywio'r hyn rydym yn ei gomisiynu."
    ),
    "easy_read_en": (
        "The council pays for day services for adults with learning disabilities.\n"
        "This costs about £2.4 million each year.\n"
        "We are planning these services for 2027 to 2030.\n"
        "We want to hear from you.\n"
        "Tell us what you like to do in the day.\n"
        "Tell us what would make your life better.\n"
        "You can write down an idea. We call this a proposal.\n"
        "You can support other people's ideas.\n"
        "A group of local people will talk about the ideas.\n"
        "Then everyone can vote.\n"
        "We will use your ideas to plan the services with you."
    ),
    "easy_read_cy": (
        "Mae'r cyngor yn talu am wasanaethau dydd i oedolion ag anableddau dysgu.\n"
        "Mae hyn yn costio tua £2.4 miliwn bob blwyddyn.\n"
        "Rydyn ni'n cynllunio'r gwasanaethau hyn ar gyfer 2027 i 2030.\n"
        "Rydyn ni eisiau clywed gennych chi.\n"
        "Dywedwch wrthon ni beth rydych chi'n hoffi ei wneud yn ystod y dydd.\n"
        "Dywedwch wrthon ni beth fyddai'n gwneud eich bywyd yn well.\n"
        "Gallwch chi ysgrifennu syniad. Rydyn ni'n galw hyn yn gynnig.\n"
        "Gallwch chi gefnogi syniadau pobl eraill.\n"
        "Bydd grŵp o bobl leol yn siarad am y syniadau.\n"
        "Yna bydd pawb yn gallu pleidleisio.\n"
        "Byddwn ni'n defnyddio eich syniadau i gynllunio'r gwasanaethau gyda chi."
    ),
    "service_area": "social_care",
    "budget": 2_400_000,
    "categories": [
        ("skills_work", "Skills and work", "Sgiliau a gwaith"),
        ("community_activities", "Community activities", "Gweithgareddau cymunedol"),
        ("transport", "Getting around", "Teithio o le i le"),
        ("health_wellbeing", "Health and well-being", "Iechyd a llesiant"),
        ("friendships", "Friendships and relationships", "Cyfeillgarwch a pherthnasoedd"),
        ("independence", "Independence, choice and control", "Annibyniaeth, dewis a rheolaeth"),
        ("carers_support", "Support for carers", "Cymorth i ofalwyr"),
        (
            "arts_culture",
            "Arts, culture and the Welsh language",
            "Celfyddydau, diwylliant a'r Gymraeg",
        ),
    ],
    "groups": [
        (
            "uses_services",
            "People who use day services",
            "Pobl sy'n defnyddio gwasanaethau dydd",
            0.4,
        ),
        ("carer", "Family carers", "Gofalwyr teulu", 0.25),
        ("practitioner", "Practitioners and providers", "Ymarferwyr a darparwyr", 0.15),
        ("resident", "Residents of Ceredigion", "Trigolion Ceredigion", 0.2),
    ],
    "support_limit": 10,
    "proposals": _PROPOSALS,
}

# A cycle still in draft: set up by the commissioner, not yet open to citizens.
CYCLE_DRAFT: dict[str, Any] = {
    "slug": "community-transport-hywel-dda-2027",
    "organisation": "hywel-dda",
    "title_en": "Community transport to health appointments in rural west Wales, 2027–2030",
    "title_cy": (
        "Trafnidiaeth gymunedol i apwyntiadau iechyd yng nghefn gwlad gorllewin Cymru, 2027–2030"
    ),
    "summary_en": (
        "Hywel Dda University Health Board, working with Ceredigion, "
        "Carmarthenshire and Pembrokeshire councils, is planning community "
        "transport to help people in rural areas get to GP, hospital and clinic "
        "appointments. Some people miss appointments because there is no suitable "
        "bus or they cannot drive. We want to hear from patients, carers, health "
        "and care staff and community transport volunteers about what would work "
        "for them. This cycle is still being set up and is not yet open for "
        "proposals."
    ),
    "summary_cy": (
        "Mae Bwrdd Iechyd Prifysgol Hywel Dda, gyda chynghorau Ceredigion, Sir "
        "Gaerfyrddin a Sir Benfro, yn cynllunio trafnidiaeth gymunedol i helpu "
        "pobl mewn ardaloedd gwledig i gyrraedd apwyntiadau gyda'r meddyg teulu, "
        "yn yr ysbyty ac mewn clinigau. Mae rhai pobl yn colli apwyntiadau am nad "
        "oes bws addas neu am nad ydyn nhw'n gallu gyrru. Rydym am glywed gan "
        "gleifion, gofalwyr, staff iechyd a gofal a gwirfoddolwyr trafnidiaeth "
        "gymunedol am yr hyn a fyddai'n gweithio iddyn nhw. Mae'r cylch hwn yn "
        "dal i gael ei baratoi ac nid yw ar agor i gynigion eto."
    ),
    "easy_read_en": (
        "Some people find it hard to get to health appointments.\n"
        "They may live far from a bus stop.\n"
        "They may not be able to drive.\n"
        "The health board wants to plan community transport.\n"
        "This could be a minibus or a volunteer driver.\n"
        "We want to hear what would help you.\n"
        "You cannot send ideas yet. This will open soon."
    ),
    "easy_read_cy": (
        "Mae rhai pobl yn ei chael hi'n anodd cyrraedd apwyntiadau iechyd.\n"
        "Efallai eu bod nhw'n byw yn bell o safle bws.\n"
        "Efallai nad ydyn nhw'n gallu gyrru.\n"
        "Mae'r bwrdd iechyd eisiau cynllunio trafnidiaeth gymunedol.\n"
        "Gallai hyn fod yn fws mini neu'n yrrwr gwirfoddol.\n"
        "Rydyn ni eisiau clywed beth fyddai'n eich helpu chi.\n"
        "Allwch chi ddim anfon syniadau eto. Bydd hyn yn agor cyn bo hir."
    ),
    "service_area": "transport",
    "budget": 650_000,
    "categories": [
        ("booking", "Booking a journey", "Trefnu taith"),
        ("routes_times", "Where and when it runs", "Ble a phryd mae'n rhedeg"),
        ("accessibility", "Accessible vehicles", "Cerbydau hygyrch"),
        ("volunteers", "Volunteer drivers", "Gyrwyr gwirfoddol"),
        ("cost", "Cost to passengers", "Cost i deithwyr"),
        ("joining_up", "Joining up with health services", "Cydgysylltu â gwasanaethau iechyd"),
    ],
    "groups": [
        ("uses_services", "Patients and passengers", "Cleifion a theithwyr", 0.4),
        ("carer", "Carers", "Gofalwyr", 0.2),
        (
            "practitioner",
            "Health staff and transport providers",
            "Staff iechyd a darparwyr trafnidiaeth",
            0.2,
        ),
        ("resident", "Residents", "Trigolion", 0.2),
    ],
    "proposals": [],
    "support_limit": None,
}
