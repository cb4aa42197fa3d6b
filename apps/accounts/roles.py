"""Roles and what each may do.

`Membership(user, organisation, role)` says *where* a user acts; this table says *what* a role
may do. It is code, reviewed with the modules that use it (docs/adr/0003-roles-in-code.md), and
`RoleBackend` turns it into ordinary Django permissions (`user.has_perm(...)`, `{{ perms }}`).
Modules add their permissions to ROLE_PERMISSIONS when they land.
"""

import hashlib

from apps.core.principal import Role

__all__ = ["ROLES_VERSION", "ROLE_ORGANISATION_KINDS", "ROLE_PERMISSIONS", "Role"]


_ADMIN_MODEL_PERMS = {
    f"{app}.{verb}_{model}"
    for app, model in [
        ("accounts", "organisation"),
        ("accounts", "membership"),
        ("accounts", "user"),
        ("core", "area"),
        ("core", "calendaroverride"),
        # Platform companies of the new forms of employment (issue 19).
        ("unions", "platform"),
        # [POLICY] tables the park keeps in the admin.
        ("contracts", "contractpolicy"),
        ("inspection", "inspectionpolicy"),
        ("assistance", "povertythreshold"),
        ("legalaid", "legalaidpolicy"),
        ("legalaid", "lawyer"),
        ("appeals", "department"),
        ("appeals", "appealdeadline"),
        # The cockpit's targets (issue 20).
        ("cockpit", "target"),
    ]
    for verb in ("view", "add", "change", "delete")
}

#: The enterprise registry and the union module (issue 3). Object scope (own enterprise, own
#: union) is decided by `visible_to` and by the services, not by these permissions.
_REGISTRY_READ = {"enterprises.view_enterprise", "enterprises.view_enterprisesurvey"}
_UNION_READ = {
    "unions.view_union",
    "unions.view_collectivecontract",
    "unions.view_workerscongress",
}

#: Harmony certification (issue 4). Which enterprise an HR user prepares for is decided by
#: `certification.workflow.can_prepare` (their own); what anyone sees, by `visible_to`.
_CERTIFICATION_READ = {"certification.view_application", "certification.view_certificate"}

#: Labour-dispute mediation (issue 5). Which cases a user sees is decided by `Case.visible_to`
#: (mediators: their organisations' cases; HR: cases against their enterprise).
_MEDIATION_READ = {"mediation.view_case", "mediation.view_mediationorganisation"}
_MEDIATION_WORK = {
    "mediation.register_case",
    "mediation.accept_case",
    "mediation.mediate_case",
    "mediation.view_mediation_figures",
    "mediation.view_applicant_identity",
}

#: Union officials (issue 18): the union runs mediation committees (企业劳动争议协商调解规定 art. 13)
#: and the federation supervises. The role reads mediation and holds the work permissions, but
#: `Case.worked_by` narrows the cases they act on to those of an organisation their union runs
#: (`MediationOrganisation.union`), like its mediators: an official whose union runs none acts
#: on nothing. A federation's officials read its figures and overdue cases (`Case.visible_to`),
#: without acting, the case file or ID numbers. Registering walk-in cases stays with mediators.
_MEDIATION_UNION = _MEDIATION_READ | (_MEDIATION_WORK - {"mediation.register_case"})

#: Labour-contract filing (issue 6). Which contracts a user sees is decided by
#: `LabourContract.visible_to` (HR: their enterprise's); which enterprise they file for, by
#: `contracts.selectors.filing_enterprises` (the check: `contracts.workflow.filing_refusal`).
_CONTRACTS_HR = {
    "contracts.view_labourcontract",
    "contracts.file_contract",
    "contracts.import_contracts",
    "contracts.view_importjob",
    "contracts.view_full_id_number",
}

#: Labour inspection (issue 16). Which cases a user sees is decided by `InspectionCase.visible_to`
#: (inspectors: their brigade's area; HR: their enterprise's cases with an order to rectify; union
#: officials: the enterprises their union covers); reporters by `Reporter.visible_to` (only those
#: holding `view_reporter_identity`).
_INSPECTION_READ = {
    "inspection.view_inspectioncase",
    "inspection.view_wagearrearslisting",
    "inspection.view_seriousviolation",
    "inspection.view_creditgrade",
    "inspection.view_interview",
}
_INSPECTION_WORK = {
    "inspection.register_case",
    "inspection.handle_case",
    "inspection.view_reporter_identity",
    "inspection.view_worker_identity",
    "inspection.view_rectificationorder",
    "inspection.handle_interview",
    "inspection.handle_patrol",
    "inspection.view_patrol",
    "inspection.view_patrolplan",
    "inspection.view_writtenreview",
    "inspection.review_written_report",
}
#: Enterprise HR file their enterprise's yearly written review report (劳动保障监察条例 art. 14).
_INSPECTION_HR = {
    "inspection.view_rectificationorder",
    "inspection.view_writtenreview",
    "inspection.add_writtenreview",
    "inspection.change_writtenreview",
}

#: The risk watch list (issue 17). Which enterprises a reader sees is decided by
#: `EnterpriseRisk.visible_to` (their `Enterprise.visible_to` in a reading role); enterprise HR do
#: not read it. The park keeps the versioned policy in the admin.
_RISK_READ = {"risk.view_enterpriserisk"}

#: Legal aid of the union (issue 19). Which requests a user reads is `LegalAidRequest.visible_to`
#: (the handling union's officials, a federation its area's, park administrators all); who acts,
#: `legalaid.workflow.acts_on` (the handling union's officials and park administrators).
#: Enterprise HR, mediators and inspectors hold none of these: never a worker's request.
_LEGALAID = {
    "legalaid.view_legalaidrequest",
    "legalaid.register_request",
    "legalaid.decide_request",
    "legalaid.handle_request",
    "legalaid.view_worker_identity",
    "legalaid.view_legalaid_figures",
    "legalaid.view_lawyer",
}
_RISK_POLICY = {
    "risk.view_riskpolicy",
    "risk.add_riskpolicy",
    "risk.change_riskpolicy",
    "risk.view_riskweight",
    "risk.add_riskweight",
    "risk.change_riskweight",
    "risk.delete_riskweight",
}

#: Enterprise appeals (issue 19). HR file and rate their own enterprise's appeals (`Appeal.visible_to`);
#: park administrators route, answer on behalf of the department and reopen. Union officials,
#: mediators and inspectors have no part in them.
_APPEALS_PARK = {
    "appeals.view_appeal",
    "appeals.route_appeal",
    "appeals.answer_appeal",
    "appeals.reopen_appeal",
    "appeals.view_appeal_figures",
}
_APPEALS_HR = {"appeals.view_appeal", "appeals.file_appeal", "appeals.rate_appeal"}

#: Worker assistance (issue 19): the hardship file and aid. Which files a user sees is decided by
#: `HardshipFile.visible_to` (union officials: the enterprises their union covers; never HR,
#: mediators or inspectors); the union assesses, approves, reviews, closes and pays.
_ASSISTANCE_UNION = {
    "assistance.view_hardshipfile",
    "assistance.add_hardshipfile",
    "assistance.change_hardshipfile",
    "assistance.assess_hardshipfile",
    "assistance.approve_hardshipfile",
    "assistance.view_full_id_number",
    "assistance.view_assistance_figures",
    "assistance.view_aid",
    "assistance.pay_aid",
}

#: Periodic park reports (issue 20): read the kept reports and subscribe to them. Generating one
#: (`reports.generate_report`) is the park administrators' (`Report.visible_to`: the park's
#: administrators and its leaders read every report; no other role reads any).
_REPORTS_READ: set[str] = {"reports.view_report", "reports.subscribe_report"}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.PARK_ADMIN: frozenset(
        _ADMIN_MODEL_PERMS
        | _REGISTRY_READ
        | _UNION_READ
        | {
            "audit.view_auditevent",
            "accounts.view_apiclient",
            # API clients managed on the park's pages (issue 15): create, rotate, revoke, edit.
            "accounts.add_apiclient",
            "accounts.change_apiclient",
            # Webhook subscriptions of API clients and their delivery log (issue 15).
            "webhooks.view_subscription",
            "webhooks.add_subscription",
            "webhooks.change_subscription",
            "documents.view_generateddocument",
            "core.view_park_dashboard",
            # The park's cockpit and its statistics (issue 20).
            "cockpit.view_cockpit",
            "cockpit.view_statistics",
            # Periodic reports (issue 20): read, generate, subscribe to the scheduled ones.
            "reports.view_report",
            "reports.generate_report",
            "reports.subscribe_report",
            "api.view_docs",
            # Unlock accounts locked after failed logins (django-axes).
            "axes.view_accessattempt",
            "axes.delete_accessattempt",
            # Registry: create enterprises, change the fields the park controls, import, export.
            "enterprises.add_enterprise",
            "enterprises.change_enterprise",
            "enterprises.change_enterprise_controlled_fields",
            "enterprises.import_enterprises",
            "enterprises.export_enterprises",
            "enterprises.add_enterprisesurvey",
            "enterprises.change_enterprisesurvey",
            "unions.add_union",
            "unions.change_union",
            "unions.view_union_figures",
            "unions.change_uniontarget",
            "unions.view_uniontarget",
            "unions.add_collectivecontract",
            "unions.change_collectivecontract",
            # Filing and objections are acts of the HR bureau (集体合同规定 arts. 42, 47).
            "unions.review_collectivecontract",
            "unions.add_workerscongress",
            "unions.change_workerscongress",
            # New forms of employment (issue 19): platform workers and their union membership.
            "unions.view_platformworker",
            "unions.add_platformworker",
            "unions.change_platformworker",
            # Certification: review, notice, objections, naming, revocation, veto events, rule sets.
            "certification.review_application",
            "certification.publish_notice",
            "certification.resolve_objection",
            "certification.certify_application",
            "certification.revoke_certificate",
            "certification.view_certification_figures",
            "certification.view_objection",
            "certification.view_vetoevent",
            "certification.add_vetoevent",
            "certification.view_ruleset",
            "certification.add_ruleset",
            "certification.change_ruleset",
            "certification.view_round",
            "certification.add_round",
            "certification.change_round",
            # Mediation: park administrators supervise, route and may act on every case.
            "mediation.add_mediationorganisation",
            "mediation.change_mediationorganisation",
            "mediation.view_mediator",
            "mediation.add_mediator",
            "mediation.change_mediator",
        }
        | _CERTIFICATION_READ
        | _MEDIATION_READ
        | _MEDIATION_WORK
        | _CONTRACTS_HR
        | {
            "contracts.view_contract_figures",
            "contracts.view_contractpolicy",
            "contracts.add_contractpolicy",
            "contracts.change_contractpolicy",
        }
        | _INSPECTION_READ
        | _INSPECTION_WORK
        | {
            # The head of the department approves extensions and keeps the wage-arrears list.
            "inspection.approve_extension",
            "inspection.manage_wage_arrears_list",
        }
        | _RISK_READ
        | _RISK_POLICY
        | _ASSISTANCE_UNION
        | _LEGALAID
        | _APPEALS_PARK
    ),
    Role.ENTERPRISE_HR: frozenset(
        {"accounts.view_organisation"}
        | _REGISTRY_READ
        | _UNION_READ
        | {
            "enterprises.change_enterprise",
            "enterprises.add_enterprisesurvey",
            "enterprises.change_enterprisesurvey",
            "unions.add_collectivecontract",
            "unions.change_collectivecontract",
            "unions.add_workerscongress",
            "unions.change_workerscongress",
            "certification.prepare_application",
            "certification.submit_annualreport",
        }
        | _CERTIFICATION_READ
        # Cases where the enterprise is the respondent, without applicants' ID numbers or phones.
        | _MEDIATION_READ
        | _CONTRACTS_HR
        # Their enterprise's cases with an order to rectify, interviews and written reviews, never
        # reporters.
        | _INSPECTION_READ
        | _INSPECTION_HR
        | _APPEALS_HR
    ),
    Role.UNION_OFFICIAL: frozenset(
        {"accounts.view_organisation"}
        | _REGISTRY_READ
        | _UNION_READ
        | {
            "enterprises.export_enterprises",
            "unions.add_union",
            "unions.change_union",
            "unions.view_union_figures",
            "unions.add_collectivecontract",
            "unions.change_collectivecontract",
            "unions.add_workerscongress",
            "unions.change_workerscongress",
            # New forms of employment (issue 19): their union's platform workers (`visible_to`).
            "unions.view_platformworker",
            "unions.add_platformworker",
            "unions.change_platformworker",
            # The union takes part in certification (programme part 5 (2)); it reads, it does not decide.
            "certification.view_certification_figures",
        }
        | _CERTIFICATION_READ
        # The cases of the enterprises the union covers, never reporters.
        | _INSPECTION_READ
        | _MEDIATION_UNION
        | _RISK_READ
        | _ASSISTANCE_UNION
        | _LEGALAID
    ),
    Role.MEDIATOR: frozenset(
        {"accounts.view_organisation", "enterprises.view_enterprise", "mediation.view_mediator"}
        | _MEDIATION_READ
        | _MEDIATION_WORK
        | _RISK_READ
    ),
    Role.INSPECTOR: frozenset(
        {"accounts.view_organisation"} | _REGISTRY_READ | _INSPECTION_READ | _INSPECTION_WORK | _RISK_READ
    ),
    #: Leaders (issue 20) read the park's figures: the cockpit (aggregates of the whole park, no
    #: record, no list behind them) and the periodic reports; nothing else.
    Role.LEADER: frozenset({"cockpit.view_cockpit", "cockpit.view_statistics"} | _REPORTS_READ),
}

#: Organisation kinds a role may be given in (a mediator belongs to a mediation organisation...).
ROLE_ORGANISATION_KINDS = {
    Role.PARK_ADMIN: {"park", "district"},
    Role.ENTERPRISE_HR: {"enterprise"},
    Role.UNION_OFFICIAL: {"union"},
    Role.MEDIATOR: {"mediation"},
    Role.INSPECTOR: {"inspection"},
    Role.LEADER: {"park", "district"},
}


def _version() -> str:
    text = repr(sorted((role, sorted(perms)) for role, perms in ROLE_PERMISSIONS.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


#: Changes with the table above, so permissions cached by an older release are not used.
ROLES_VERSION = _version()
