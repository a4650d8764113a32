# Switchboard-Plattformmeldungen, de-DE. Jede ID in switchboard_model::MessageId hat einen Eintrag.

## XML-Einlesen
xml-malformed = fehlerhaftes XML: { $detail }
xml-too-deep = Elemente sind tiefer als { $max } Ebenen verschachtelt
xml-doctype = Dokumenttypdeklarationen (DOCTYPE) sind in Lösungsdateien nicht zulässig
xml-not-utf8 = die Datei ist nicht UTF-8-codiert
xml-unexpected-root = Wurzelelement <{ $expected }> erwartet, <{ $found }> gefunden
xml-missing-element = das erforderliche Element <{ $element }> fehlt
xml-missing-attribute = das erforderliche Attribut { $attribute } fehlt an <{ $element }>
xml-not-integer = <{ $element }> muss eine ganze Zahl sein, gefunden: "{ $value }"
xml-not-boolean = <{ $element }> muss 0 oder 1 sein, gefunden: "{ $value }"
xml-not-guid = GUID erwartet, gefunden: "{ $value }"
xml-unknown-option = der Wert { $value } von <{ $element }> ist nicht definiert; erwartet wird einer der Werte { $codes }
xml-unknown-type-code = unbekannter Typcode { $value }; erwartet wird ein Dataverse-Typcode von 0 (Boolean) bis { $max } (Guid)
xml-bad-plugin-reference = <plugintypeid> muss <plugintypeid> oder <plugintypeexportkey> enthalten, gefunden: <{ $found }>
xml-bad-export-key = der Exportschlüssel "{ $value }" des Plug-in-Typs ist weder eine GUID noch eine Folge von 64 Hexadezimalziffern
xml-bad-language-code = der Sprachcode "{ $value }" ist keine gültige LCID
xml-folder-name-mismatch = der Ordner "{ $folder }" enthält die benutzerdefinierte API "{ $name }"; der Ordner sollte nach dem eindeutigen Namen benannt sein
xml-duplicate-api = die benutzerdefinierte API "{ $name }" ist doppelt definiert (zuerst in { $first })

## Pakete
package-not-found = { $path } kann nicht geöffnet werden: { $detail }
package-unreadable = { $path } kann nicht gelesen werden: { $detail }
package-no-solution-xml = hier gibt es weder Other/Solution.xml noch solution.xml; handelt es sich um einen Lösungsordner oder eine Lösungs-ZIP-Datei?
package-bad-zip = { $path } ist keine verwendbare Lösungs-ZIP-Datei: { $detail }
package-assembly-missing = die Plug-in-Assembly { $assembly } verweist auf { $file }, das nicht im Paket enthalten ist; ihre Typen werden ohne Binärdatei erfasst
package-foreign-assembly = die Plug-in-Assembly { $assembly } ist kein WebAssembly; sie wird erfasst, ihre Plug-ins können hier jedoch nicht ausgeführt werden
package-step-unknown-table = der Schritt "{ $step }" ist für die Tabelle "{ $table }" registriert, die von keiner Lösung deklariert wird; er wird trotzdem gespeichert
package-bad-version = "{ $value }" ist keine Lösungsversion (erwartet werden Zahlen wie 1.0.0.0)
package-missing-prefix = der Herausgeber hat kein Anpassungspräfix

## Tabellen
table-column-unsupported = die Spalte "{ $column }" der Tabelle "{ $table }" hat den Typ { $kind }, den Switchboard nicht unterstützt; die Spalte wird übersprungen
table-skipped = die Tabelle "{ $table }" ist eine Systemtabelle, die Switchboard selbst verwaltet oder nicht bereitstellt; ihre Definition in der Lösung wird übersprungen
table-duplicate = "{ $name }" ist mehrfach definiert (zuerst in { $first })
table-choice-empty = die Auswahlspalte "{ $column }" hat keine Optionen
table-choice-duplicate = der Optionssatz "{ $name }" enthält den Wert { $value } mehrfach
table-option-set-unknown = die Spalte "{ $column }" verwendet den globalen Optionssatz "{ $name }", den die Lösung nicht definiert
table-value-out-of-range = <{ $element }> der Spalte "{ $column }" ist { $value }; erlaubt sind { $min } bis { $max }
table-lookup-no-target = die Suchspalte "{ $column }" der Tabelle "{ $table }" nennt keine Zieltabelle: <LookupTypes> ist leer, und keine Beziehung verweist auf die Spalte
table-no-primary-name = die Tabelle "{ $table }" hat keine Primärnamenspalte (ein Attribut, dessen <DisplayMask> PrimaryName enthält)

## Regeln für benutzerdefinierte APIs
api-unique-name-empty = der eindeutige Name ist leer
api-unique-name-too-long = der eindeutige Name "{ $name }" ist { $length } Zeichen lang; zulässig sind höchstens { $max }
api-unique-name-characters = der eindeutige Name "{ $name }" darf nur Buchstaben, Ziffern und Unterstriche enthalten und nicht mit einer Ziffer beginnen
api-unique-name-no-prefix = der eindeutige Name "{ $name }" beginnt nicht mit dem Herausgeberpräfix "{ $prefix }_"
api-text-too-long = { $column } ist { $length } Zeichen lang; zulässig sind höchstens { $max }
api-binding-needs-table = der Bindungstyp { $code } ({ $binding }) erfordert <boundentitylogicalname>
api-global-has-table = eine benutzerdefinierte API vom Typ Global (ungebunden) darf keine gebundene Tabelle angeben, gefunden: "{ $table }"
api-function-without-response = die Funktion "{ $name }" hat keine Antworteigenschaft; sie wird gespeichert, kann aber erst aufgerufen oder veröffentlicht werden, wenn sie eine hat
api-workflow-function = eine für Workflows aktivierte API (workflowsdkstepenabled = 1) kann keine Funktion sein
api-workflow-type = eine für Workflows aktivierte API kann den Typ { $type } nicht verwenden
api-workflow-entity-reference = eine für Workflows aktivierte API kann EntityReference nur verwenden, wenn sie an eine Tabelle gebunden ist (Bindungstyp 1)
api-entity-name-not-allowed = logicalentityname ist beim Typ { $type } nicht zulässig
api-response-optional = Antworteigenschaften haben keine Spalte isoptional; <isoptional> entfernen
api-duplicate-parameter = der Anforderungsparameter "{ $name }" ist mehrfach definiert
api-duplicate-property = die Antworteigenschaft "{ $name }" ist mehrfach definiert
api-target-reserved = "Target" ist der implizite Parameter einer tabellengebundenen API und kann nicht deklariert werden
api-name-missing = kein <name> für "{ $name }"; der eindeutige Name wird verwendet
api-plugin-type-unresolved = die benutzerdefinierte API "{ $name }" verweist auf den Plug-in-Typ { $reference }, den keine importierte Assembly bereitstellt; sie wird ohne Hauptvorgang ausgeführt, bis ein solcher importiert wird

## Schritte
step-stage-invalid = die Phase { $stage } ist für einen registrierten Schritt nicht zulässig; 10, 20 oder 40 verwenden
step-async-not-post-operation = asynchrone Schritte werden nur in der Post-Operation-Phase (Phase 40) ausgeführt, nicht in Phase { $stage }
step-no-message = der Schritt gibt keine Nachricht an (SdkMessageId oder SdkMessageName)
step-no-plugin-type = der Schritt gibt keinen Plug-in-Typ an (PluginTypeName, PluginTypeId oder PluginTypeExportKey)
step-name-invalid = ein Schritt braucht einen Namen mit 1 bis 256 Zeichen (dieser hat { $length })
step-unknown-message = die Nachricht "{ $message }" existiert nicht: eine benutzerdefinierte API (mit eindeutigem Namen oder ihrer sdkmessageid) oder eine integrierte Nachricht (Create, Update, Delete, Retrieve, RetrieveMultiple, …) angeben
step-unknown-plugin-type = der Plug-in-Typ "{ $reference }" existiert nicht: kein gespeicherter Plug-in-Typ hat diese ID, diesen Namen oder diesen Exportschlüssel (zuerst die Assembly importieren, die ihn bereitstellt)
step-plugin-type-in-package = der Schritt "{ $step }" führt den Plug-in-Typ { $reference } eines Plug-in-Pakets aus; Pakettypen liegen im .nupkg und werden hier nicht ausgeführt
step-custom-api-no-steps = Ein benutzerdefinierter SdkMessageProcessingStep ist für die angegebene Nachricht nicht zulässig. Die benutzerdefinierte API "{ $api }" erlaubt keine benutzerdefinierten Verarbeitungsschritte (AllowedCustomProcessingStepType = 0, Keine).
step-custom-api-async-only = Ein benutzerdefinierter SdkMessageProcessingStep ist für die angegebene Nachricht nicht zulässig. Die benutzerdefinierte API "{ $api }" erlaubt nur asynchrone Schritte nach dem Vorgang (AllowedCustomProcessingStepType = 1, Nur asynchron); dieser Schritt ist synchron in Phase { $stage }.
step-not-found = kein Verarbeitungsschritt hat die ID { $id }
step-exists = ein Verarbeitungsschritt mit der ID { $id } existiert bereits
step-managed = der Schritt "{ $name }" gehört zur verwalteten Lösung "{ $solution }" und kann nicht gelöscht werden; stattdessen diese Lösung aktualisieren oder deinstallieren
step-admin-required = Nur ein Systemadministrator kann Verarbeitungsschritte registrieren, ändern oder löschen; der Benutzer { $user } ist kein Systemadministrator.
cli-step-added = Schritt "{ $name }" registriert ({ $id })
cli-step-enabled = Schritt { $id } aktiviert
cli-step-disabled = Schritt { $id } deaktiviert
cli-step-deleted = Schritt { $id } gelöscht
cli-step-list-empty = es sind noch keine Verarbeitungsschritte registriert; einen mit `switchboard step add` hinzufügen
step-image-message = das Abbild "{ $alias }" verlangt ein { $kind } der Nachricht { $message }, die keines liefert: Create liefert nur ein Post-Abbild, Update ein Pre- und ein Post-Abbild, Delete nur ein Pre-Abbild, andere Nachrichten keines
step-image-stage = das Abbild "{ $alias }" ist ein Post-Abbild, das es nur für Schritte nach der Operation (Stufe 40) gibt; dieser Schritt läuft in Stufe { $stage }
step-image-alias = das Schrittabbild "{ $name }" hat keinen Entitätsalias; Plug-ins lesen ein Abbild über seinen Alias
step-image-not-found = kein Schrittabbild hat die ID { $id }
cli-step-image-added = Abbild "{ $alias }" für Schritt { $step } registriert ({ $id })
cli-step-image-deleted = Schrittabbild { $id } gelöscht

## Import
import-immutable-changed = { $component } "{ $name }": { $column } kann nach dem Erstellen nicht mehr geändert werden (gespeichert: { $stored }, im Paket: { $incoming }); stattdessen löschen und neu erstellen
import-managed-over-unmanaged = die Lösung "{ $solution }" ist als nicht verwaltete Lösung installiert; ein verwaltetes Paket derselben Lösung kann nicht darüber importiert werden. Zuerst die nicht verwaltete Lösung löschen.
import-unmanaged-over-managed = die Lösung "{ $solution }" ist als verwaltete Lösung installiert; ein nicht verwaltetes Paket derselben Lösung kann nicht darüber importiert werden. Zuerst die verwaltete Lösung deinstallieren.
import-older-version = die Version { $incoming } der Lösung "{ $solution }" ist älter als die installierte Version { $stored }; eine verwaltete Lösung kann nicht herabgestuft werden
import-same-version = die Version { $version } der Lösung "{ $solution }" ist bereits installiert; ihre Komponenten werden direkt aktualisiert
import-api-owned-elsewhere = die benutzerdefinierte API "{ $name }" gehört zur Lösung "{ $owner }"; die Lösung "{ $solution }" kann sie nicht neu definieren
import-database = die Datenbank hat den Import abgelehnt: { $detail }
import-table-conflict = Tabelle "{ $table }" kann so nicht geändert werden: { $detail }
import-failed = { $path } wurde nicht importiert
import-summary = { $solution } { $version } ({ $managed }): { $created } erstellt, { $updated } aktualisiert, { $warnings } Warnungen
import-created = { $component } erstellt
import-updated = { $component } aktualisiert
import-deleted = { $component } entfernt (nicht mehr in der verwalteten Lösung enthalten)
import-removed = die benutzerdefinierte API "{ $name }" ist nicht mehr in der verwalteten Lösung "{ $solution }" enthalten und wurde entfernt

## OData-Web-API
odata-resource-not-found = Ressource für das Segment '{ $segment }' nicht gefunden.
odata-no-http-resource = Es wurde keine HTTP-Ressource gefunden, die dem Anforderungs-URI '{ $uri }' entspricht.
odata-unresolved-bound = Die Anforderungsnachricht enthält nicht aufgelöste Parameter. '{ $name }' ist gebunden; als '{ $qualified }' aufrufen.
odata-url-too-long = Die Anforderungs-URL ist { $length } Zeichen lang; zulässig sind höchstens { $max }. Für große Parameter eine Aktion mit Anforderungstext aufrufen.
odata-malformed-json = Der Anforderungstext ist kein gültiges JSON: { $detail }
odata-body-not-object = Der Anforderungstext muss ein JSON-Objekt sein, dessen Member die Parameter des Vorgangs sind.
odata-invalid-value = Der Wert des Parameters '{ $name }' kann nicht in { $expected } konvertiert werden: { $detail }
odata-missing-parameter = Der erforderliche Parameter '{ $name }' des Vorgangs '{ $api }' fehlt.
odata-unknown-parameter = Der Parameter '{ $name }' in den Anforderungsnutzdaten ist kein gültiger Parameter für den Vorgang '{ $api }'.
odata-bad-literal = '{ $literal }' ist kein gültiges { $expected }-Literal.
odata-unknown-alias = Der Parameteralias '{ $alias }' ist in der Abfragezeichenfolge nicht angegeben.
odata-bad-key = '{ $key }' ist kein gültiger Schlüssel; erwartet wird eine GUID.
odata-binding-parameter = '{ $name }' ist der Datensatz, an den '{ $api }' gebunden ist; er stammt aus der URL, nicht aus einem Parameter.
odata-duplicate-parameter = Der Parameter '{ $name }' ist mehrfach angegeben.
odata-method-not-allowed = Die HTTP-Methode { $method } wird für '{ $uri }' nicht unterstützt.
odata-payload-too-large = Der Anforderungstext ist größer als { $max } Byte.
odata-unsupported-media-type = Der Anforderungstext muss application/json sein, nicht '{ $type }'.
odata-bad-query-option = Die Abfrageoption { $option } ist hier nicht gültig: { $detail }
odata-syntax = Syntaxfehler in '{ $text }': { $detail }
auth-no-token = Diese Anforderung benötigt ein Zugriffstoken: Authorization: Bearer <token> senden (switchboard token create --user NAME erstellt eines).
auth-bad-token = Das Zugriffstoken ist ungültig: Es ist unbekannt, widerrufen oder abgelaufen, oder sein Benutzer ist deaktiviert.
auth-missing-privilege = Dem Prinzipalbenutzer (Id={ $user }, type=8, roleCount={ $roles }, privilegeCount={ $privileges }) fehlt die Berechtigung { $privilege } (Id={ $privilegeid }) auf OTC=0 für die Entität '{ $api }'.
auth-impersonation-refused = Der Benutzer { $user } kann nicht im Namen eines anderen Benutzers handeln: Die Berechtigung prvActOnBehalfOfAnotherUser fehlt.
auth-admin-required = Nur ein Systemadministrator kann { $table }-Datensätze erstellen; der Benutzer { $user } ist kein Systemadministrator.
auth-admin-required-change = Nur ein Systemadministrator kann { $table }-Datensätze ändern; der Benutzer { $user } ist kein Systemadministrator.
organization-trace-setting-invalid = plugintracelogsetting muss 0 (Off), 1 (Exception) oder 2 (All) sein, nicht { $value }.
cli-organization-show = Organisation { $name }: plugintracelogsetting { $code } ({ $label })
auth-rate-limited = Die Anzahl der Anforderungen hat das Limit von { $limit } innerhalb eines Zeitfensters von { $window } Sekunden überschritten.
auth-unknown-user = Es gibt keinen aktivierten Benutzer mit der in MSCRMCallerID angegebenen ID { $id }.
cli-user-added = Benutzer { $name } ({ $id }) erstellt
cli-role-added = Rolle { $name } ({ $id }) erstellt
cli-security-done = fertig
cli-security-failed = { $detail }
labels-not-localizable = { $attribute } von { $table } ist kein lokalisierbares Attribut.
labels-bad-moniker = Der EntityMoniker { $value } bezeichnet keinen Datensatz (@odata.type und die ID oder @odata.id angeben).
labels-unknown-language = Der Sprachcode { $code } ist keine Sprache, die diese Organisation anbietet.
odata-duplicate-record = Ein Datensatz mit übereinstimmenden Schlüsselwerten ist bereits vorhanden ({ $name }).
odata-record-not-found = { $table } mit Id = { $id } ist nicht vorhanden
odata-unknown-property = Für den Typ '{ $type }' wurde keine Eigenschaft mit dem Namen '{ $name }' gefunden.
odata-headers-too-large = Die Anforderungsheader sind { $size } Byte lang; zulässig sind höchstens { $max }.
odata-request-timeout = Die Anforderung wurde nicht innerhalb von { $seconds } Sekunden abgeschlossen.
odata-internal = Ein unerwarteter Fehler ist aufgetreten (Korrelations-ID { $id }).
background-not-found = Es gibt keinen Hintergrundvorgang mit der ID { $id }.
background-terminal = Ein Hintergrundvorgang kann nicht abgebrochen werden, nachdem er einen Endzustand erreicht hat.
background-bad-callback = Die Rückruf-URL { $url } ist keine absolute http- oder https-URL.
background-bad-prefer = Der Prefer-Header verlangt einen Rückruf ({ $preference }) ohne respond-async.
background-canceled = Der Hintergrundvorgang { $id } wurde abgebrochen.
background-only-cancel = Ein Hintergrundvorgang kann nur abgebrochen werden: senden Sie backgroundoperationstatecode 2 und backgroundoperationstatuscode 22.

## Plug-ins
plugin-business = { $message }
pipeline-infinite-loop = Dieser Workflowauftrag wurde abgebrochen, weil der auslösende Workflow eine Endlosschleife enthielt: { $message } auszuführen würde die maximale Tiefe von { $depth } überschreiten.
plugin-timeout = Das Plug-in { $type } wurde nicht innerhalb seiner Frist von { $ms } ms beendet und wurde angehalten.
plugin-memory-cap = Das Plug-in { $type } hat versucht, mehr als seine Speichergrenze von { $mib } MiB zu verwenden, und wurde angehalten.
plugin-panicked = Das Plug-in { $type } ist mit einem Panic abgebrochen: { $message }
plugin-trapped = Das Plug-in { $type } ist fehlgeschlagen: { $detail }
plugin-internal = Das Plug-in { $type } hat einen internen Fehler gemeldet: { $detail }
plugin-bad-value = Das Plug-in { $type } hat einen Wert gesendet, der nicht gelesen werden kann: { $detail }
plugin-load-failed = Die Plug-in-Assembly { $assembly } kann nicht geladen werden: { $detail }
plugin-type-missing = Die Plug-in-Assembly { $assembly } exportiert den Plug-in-Typ { $type } nicht.
plugin-unknown-output = Das Plug-in { $type } hat die Ausgabe '{ $name }' gesetzt, die von '{ $api }' nicht deklariert wird.
plugin-wrong-output-type = Das Plug-in { $type } hat die Ausgabe '{ $name }' auf einen Wert vom Typ { $found } gesetzt; '{ $api }' deklariert { $expected }.
plugin-not-runnable = Die benutzerdefinierte API '{ $api }' verweist auf den Plug-in-Typ { $reference }, der hier nicht ausgeführt werden kann ({ $reason }); sie gibt Standardwerte zurück.
plugin-build-failed = Das Erstellen des Plug-ins in { $path } ist fehlgeschlagen: { $detail }
plugin-built = { $path } erstellt
plugin-scaffolded = Plug-in-Crate { $path } angelegt; erstellen mit: switchboard plugin build { $path }

## Befehlszeile
cli-database-open = die Datenbank { $url } kann nicht geöffnet werden: { $detail }
cli-database-missing = unter { $path } gibt es keine Datenbank: zuerst eine Lösung importieren (`switchboard import`) oder `serve --create` angeben, um mit einer leeren zu beginnen
cli-error = Fehler
cli-warning = Warnung
cli-list-empty = es sind noch keine benutzerdefinierten APIs gespeichert; eine Lösung mit `switchboard import PATH` importieren
cli-serving = Switchboard lauscht auf { $url }
cli-demo-ready = die Demodatenbank { $path } enthält { $apis } benutzerdefinierte APIs aus { $solutions } Lösungen
cli-demo-no-solutions = in { $path } wurden keine Lösungsordner oder ZIP-Dateien gefunden
cli-bind-failed = Lauschen auf { $addr } nicht möglich: { $detail }
cli-demo-token = Administratortoken: { $token }
cli-demo-try = ausprobieren: { $command }
cli-import-nothing-written = es wurde nichts importiert; die Datenbank ist unverändert
cli-demo-certificate = HTTPS mit einem selbstsignierten Entwicklungszertifikat für 127.0.0.1 und localhost: { $path }
cli-demo-trust = Clients müssen ihm vertrauen: curl --cacert { $path }, REQUESTS_CA_BUNDLE={ $path } für Python, NODE_EXTRA_CA_CERTS={ $path } für Node.js

## HTTPS
tls-unreadable = { $path } kann nicht gelesen werden: { $detail }
tls-no-certificate = { $path } enthält kein PEM-Zertifikat
tls-no-private-key = { $path } enthält keinen privaten PEM-Schlüssel
tls-rejected = { $path } kann nicht für HTTPS verwendet werden: { $detail }
tls-dev-certificate-failed = in { $path } kann kein Entwicklungszertifikat erstellt werden: { $detail }

## Logic Apps- und Power Automate-Connectors
connector-unknown-solution = Es ist keine Lösung namens „{ $name }“ installiert.
connector-respond-async-unknown = respond-async nennt „{ $name }“, das keine öffentliche Aktion der Lösung { $solution } ist.
connector-bad-base-url = „{ $url }“ ist keine Basis-URL: Geben Sie http:// oder https:// und einen Hostnamen mit optionalem Port an, etwa https://switchboard.example.com.
connector-too-large = Die Connector-Definition ist { $bytes } Bytes lang; Power Platform importiert Definitionen unter { $max } Bytes. Exportieren Sie weniger Custom APIs.
connector-written = { $path } geschrieben
connector-info-description = Die Custom APIs der Lösung { $solution }, aufgerufen über einen Switchboard-Server.
connector-operation-description = Ruft die Custom API { $name } auf.
connector-body-summary = Parameter
connector-body-description = Die Anforderungsparameter von { $name }.
connector-record-id-summary = { $table }-ID
connector-record-id-description = Die ID (eine GUID) der { $table }-Zeile, auf der { $name } ausgeführt wird.
connector-prefer-summary = Asynchron antworten
connector-prefer-description = Bittet den Server, den Aufruf im Hintergrund auszuführen: Er antwortet mit 202 Accepted und einer Location, die nach dem Ergebnis abgefragt wird.
connector-response-ok = Die Antworteigenschaften von { $name }.
connector-response-no-content = { $name } wurde ausgeführt und gibt nichts zurück.
connector-response-accepted = Angenommen: Der Aufruf läuft im Hintergrund; fragen Sie die URL im Location-Header nach dem Ergebnis ab.
connector-response-location = Die URL, die nach dem Ergebnis abgefragt wird.
connector-response-error = Der Aufruf ist fehlgeschlagen: Fehlercode und Meldung von Dataverse.
connector-error-code = Fehlercode
connector-error-message = Fehlermeldung
connector-literal-string = Als OData-Literal schreiben: Text in einfachen Anführungszeichen, etwa 'Contoso', jedes Anführungszeichen darin verdoppelt ('O''Neil').
connector-literal-boolean = Als OData-Literal schreiben: true oder false.
connector-literal-number = Als OData-Literal schreiben: eine Zahl wie 12.5.
connector-literal-whole-number = Als OData-Literal schreiben: eine ganze Zahl wie 42.
connector-literal-date-time = Als OData-Literal schreiben: Datum und Uhrzeit ohne Anführungszeichen, etwa 2024-05-31T08:00:00Z.
connector-literal-guid = Als OData-Literal schreiben: eine GUID ohne Anführungszeichen, etwa { $example }.
connector-literal-json = Als OData-Literal schreiben: JSON, etwa { $example }.
connector-token-name = Zugriffstoken
connector-token-description = Ein Switchboard-Zugriffstoken, geschrieben als „Bearer “ gefolgt vom Token (switchboard token create --user NAME erstellt eines).
connector-token-tooltip = Bearer gefolgt von Ihrem Zugriffstoken
connector-sign-in = Mit dem Identitätsanbieter anmelden, der die Token von Switchboard ausstellt
