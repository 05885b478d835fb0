"""Vocabulary of the demo generator: a Colombian municipality's offices, series and names."""

from __future__ import annotations

ENTITY = "Alcaldía Municipal de San Vicente del Cauca (demostración)"
CITY = "San Vicente del Cauca"
NIT = "890.000.123-4"

# (code, name, sigla, parent code)
DEPENDENCIAS: list[tuple[str, str, str, str | None]] = [
    ("100", "Despacho del Alcalde", "DA", None),
    ("101", "Oficina de Control Interno", "OCI", "100"),
    ("102", "Oficina Asesora Jurídica", "OAJ", "100"),
    ("110", "Secretaría General", "SG", None),
    ("111", "Oficina de Talento Humano", "OTH", "110"),
    ("112", "Oficina de Gestión Documental", "OGD", "110"),
    ("113", "Almacén General", "ALM", "110"),
    ("120", "Secretaría de Hacienda", "SH", None),
    ("121", "Oficina de Presupuesto", "OP", "120"),
    ("122", "Tesorería Municipal", "TM", "120"),
    ("123", "Oficina de Impuestos", "OI", "120"),
    ("130", "Secretaría de Planeación", "SP", None),
    ("131", "Oficina de Ordenamiento Territorial", "OOT", "130"),
    ("140", "Secretaría de Gobierno", "SGO", None),
    ("141", "Inspección de Policía", "IP", "140"),
    ("142", "Comisaría de Familia", "CF", "140"),
    ("150", "Secretaría de Educación", "SE", None),
    ("160", "Secretaría de Salud", "SS", None),
    ("170", "Secretaría de Obras Públicas", "SOP", None),
    ("180", "Secretaría de Desarrollo Social", "SDS", None),
]

# serie code -> (serie name, [(subserie code, subserie name)], title templates)
SERIES: dict[str, tuple[str, list[tuple[str, str]], list[str]]] = {
    "2": ("ACTAS", [("1", "Actas de Comité Institucional de Gestión y Desempeño"),
                    ("2", "Actas de Consejo de Gobierno"), ("3", "Actas de Comité de Conciliación")],
          ["Acta No. {n} de {year}", "Actas de reunión ordinaria {year}"]),
    "7": ("CONTRATOS", [("1", "Contratos de prestación de servicios"), ("2", "Contratos de obra"),
                        ("3", "Contratos de suministro"), ("4", "Convenios interadministrativos")],
          ["Contrato {n}-{year} — {person}", "Contrato de obra {n}-{year} — {place}",
           "Convenio {n} de {year} con {org}"]),
    "11": ("DERECHOS DE PETICIÓN", [("1", "Derechos de petición de información"),
                                    ("2", "Quejas y reclamos")],
           ["Derecho de petición de {person}", "Queja de {person} sobre {topic}"]),
    "15": ("HISTORIAS LABORALES", [("0", "Historias laborales")],
           ["Historia laboral — {person}"]),
    "17": ("INFORMES", [("1", "Informes de gestión"), ("2", "Informes a entes de control"),
                        ("3", "Informes de auditoría interna")],
           ["Informe de gestión {year}", "Informe a la Contraloría {year} — {topic}",
            "Auditoría interna {n}-{year} — {topic}"]),
    "20": ("LICENCIAS", [("1", "Licencias de construcción"), ("2", "Licencias de funcionamiento")],
           ["Licencia de construcción {n}-{year} — {place}", "Licencia {n} — {org}"]),
    "24": ("PROCESOS", [("1", "Procesos judiciales"), ("2", "Procesos disciplinarios"),
                        ("3", "Procesos de cobro coactivo")],
           ["Proceso {n}-{year} — {person}", "Cobro coactivo {n}-{year} — {person}"]),
    "26": ("RESOLUCIONES", [("0", "Resoluciones")],
           ["Resoluciones {year} (No. {n} a {m})"]),
    "29": ("COMPROBANTES DE EGRESO", [("0", "Comprobantes de egreso")],
           ["Comprobantes de egreso {month} de {year}"]),
    "31": ("PLANES", [("1", "Plan de desarrollo municipal"), ("2", "Plan anual de adquisiciones"),
                      ("3", "Plan institucional de archivos — PINAR")],
           ["Plan {topic} {year}"]),
}  # fmt: skip

FIRST = ("María", "José", "Luis", "Ana", "Carlos", "Luz", "Jorge", "Diana", "Andrés", "Claudia",
         "Juan", "Sandra", "Óscar", "Martha", "Héctor", "Paola", "Édgar", "Yolanda", "Fabián",
         "Nohora", "Germán", "Gloria", "Iván", "Ángela", "Julián", "Lucía")  # fmt: skip
LAST = ("Rodríguez", "Gómez", "González", "Martínez", "García", "López", "Hernández", "Sánchez",
        "Ramírez", "Pérez", "Díaz", "Muñoz", "Rojas", "Moreno", "Jiménez", "Vargas", "Castaño",
        "Ortiz", "Quintero", "Peña", "Ospina", "Cárdenas", "Zuluaga", "Bermúdez")  # fmt: skip
PLACES = ("vereda El Recreo", "barrio La Esperanza", "calle 5 con carrera 8", "parque principal",
          "escuela rural Los Alpes", "acueducto veredal", "plaza de mercado", "vía El Tambo")  # fmt: skip
ORGS = ("ESE Hospital San Rafael", "Gobernación del Cauca", "Cooperativa Agraria",
        "Junta de Acción Comunal", "Empresa de Servicios Públicos", "Institución Educativa Santa Ana")  # fmt: skip
TOPICS = ("alumbrado público", "malla vial", "espacio público", "austeridad del gasto",
          "servicios públicos", "gestión documental", "contratación", "talento humano",
          "rendición de cuentas", "gestión del riesgo")  # fmt: skip
MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
          "septiembre", "octubre", "noviembre", "diciembre")  # fmt: skip

DEMO_PASSWORD = "Archivo2026demo"
# username -> (full name, role code, dependencia code or None)
DEMO_USERS: dict[str, tuple[str, str, str | None]] = {
    "admin": ("Administrador del sistema", "administrador", None),
    "jefe": ("Luz Marina Ospina Castaño", "jefe_archivo", "112"),
    "auxiliar": ("Jorge Iván Quintero Peña", "auxiliar_archivo", "112"),
    "consulta": ("Claudia Rojas Díaz", "consulta", None),
    "hacienda": ("Fabián Zuluaga Moreno", "usuario_dependencia", "120"),
}
