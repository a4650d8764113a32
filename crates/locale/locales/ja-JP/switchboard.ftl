# Switchboard プラットフォーム メッセージ (ja-JP)。switchboard_model::MessageId のすべての ID にエントリがあります。

## XML の読み込み
xml-malformed = XML の形式が正しくありません: { $detail }
xml-too-deep = 要素の入れ子が { $max } レベルを超えています
xml-doctype = ソリューション ファイルでは文書型宣言 (DOCTYPE) は使用できません
xml-not-utf8 = ファイルが UTF-8 でエンコードされていません
xml-unexpected-root = ルート要素は <{ $expected }> である必要がありますが、<{ $found }> が見つかりました
xml-missing-element = 必須要素 <{ $element }> がありません
xml-missing-attribute = <{ $element }> に必須属性 { $attribute } がありません
xml-not-integer = <{ $element }> は整数である必要がありますが、"{ $value }" が指定されています
xml-not-boolean = <{ $element }> は 0 または 1 である必要がありますが、"{ $value }" が指定されています
xml-not-guid = GUID が必要ですが、"{ $value }" が指定されています
xml-unknown-option = <{ $element }> の値 { $value } は定義されていません。{ $codes } のいずれかを指定してください
xml-unknown-type-code = 不明な型コード { $value } です。0 (Boolean) から { $max } (Guid) までの Dataverse 型コードを指定してください
xml-bad-plugin-reference = <plugintypeid> には <plugintypeid> または <plugintypeexportkey> が含まれている必要がありますが、<{ $found }> が見つかりました
xml-bad-export-key = プラグイン型のエクスポート キー "{ $value }" は、GUID でも 64 桁の 16 進数でもありません
xml-bad-language-code = 言語コード "{ $value }" は有効な LCID ではありません
xml-folder-name-mismatch = フォルダー "{ $folder }" にはカスタム API "{ $name }" が含まれています。フォルダー名は一意の名前と同じにしてください
xml-duplicate-api = カスタム API "{ $name }" が 2 回定義されています (最初の定義: { $first })

## パッケージ
package-not-found = { $path } を開けません: { $detail }
package-unreadable = { $path } を読み取れません: { $detail }
package-no-solution-xml = ここには Other/Solution.xml も solution.xml もありません。ソリューション フォルダーまたは zip を指定していますか?
package-bad-zip = { $path } は使用可能なソリューション zip ではありません: { $detail }
package-assembly-missing = プラグイン アセンブリ { $assembly } が参照する { $file } はパッケージに含まれていません。その型はバイナリなしで記録されます
package-foreign-assembly = プラグイン アセンブリ { $assembly } は WebAssembly ではありません。記録はされますが、そのプラグインはここでは実行できません
package-step-unknown-table = ステップ "{ $step }" は、どのソリューションでも宣言されていないテーブル "{ $table }" に登録されています。このまま保存されます
package-bad-version = "{ $value }" はソリューションのバージョンではありません (1.0.0.0 のような数値が必要です)
package-missing-prefix = 発行者にカスタマイズ接頭辞がありません

## テーブル
table-column-unsupported = テーブル "{ $table }" の列 "{ $column }" の型 { $kind } は Switchboard でサポートされていないため、この列はスキップされます
table-skipped = テーブル "{ $table }" は Switchboard が自身で管理するか提供していないシステム テーブルのため、ソリューション内の定義はスキップされます
table-duplicate = "{ $name }" が複数回定義されています (最初の定義: { $first })
table-choice-empty = 選択肢列 "{ $column }" にオプションがありません
table-choice-duplicate = オプション セット "{ $name }" に値 { $value } が複数回含まれています
table-option-set-unknown = 列 "{ $column }" はグローバル オプション セット "{ $name }" を使用していますが、このソリューションでは定義されていません
table-value-out-of-range = 列 "{ $column }" の <{ $element }> は { $value } です。{ $min } から { $max } までの値を指定してください
table-lookup-no-target = テーブル "{ $table }" の検索列 "{ $column }" に対象テーブルがありません。<LookupTypes> が空で、この列を参照するリレーションシップもありません
table-no-primary-name = テーブル "{ $table }" にプライマリ名列 (<DisplayMask> に PrimaryName を含む属性) がありません

## カスタム API の規則
api-unique-name-empty = 一意の名前が空です
api-unique-name-too-long = 一意の名前 "{ $name }" は { $length } 文字です。使用できるのは最大 { $max } 文字です
api-unique-name-characters = 一意の名前 "{ $name }" には英字、数字、アンダースコアのみを使用でき、数字で始めることはできません
api-unique-name-no-prefix = 一意の名前 "{ $name }" が発行者の接頭辞 "{ $prefix }_" で始まっていません
api-text-too-long = { $column } は { $length } 文字です。使用できるのは最大 { $max } 文字です
api-binding-needs-table = バインドの種類 { $code } ({ $binding }) には <boundentitylogicalname> が必要です
api-global-has-table = Global (非バインド) のカスタム API ではバインド先テーブルを指定できませんが、"{ $table }" が指定されています
api-function-without-response = 関数 "{ $name }" に応答プロパティがありません。保存はされますが、応答プロパティが追加されるまで呼び出しも公開もできません
api-workflow-function = ワークフローに対して有効な API (workflowsdkstepenabled = 1) は関数にできません
api-workflow-type = ワークフローに対して有効な API では型 { $type } を使用できません
api-workflow-entity-reference = ワークフローに対して有効な API で EntityReference を使用できるのは、テーブルにバインドされている場合 (バインドの種類 1) のみです
api-entity-name-not-allowed = 型 { $type } では logicalentityname を使用できません
api-response-optional = 応答プロパティには isoptional 列がありません。<isoptional> を削除してください
api-duplicate-parameter = 要求パラメーター "{ $name }" が複数回定義されています
api-duplicate-property = 応答プロパティ "{ $name }" が複数回定義されています
api-target-reserved = "Target" はテーブルにバインドされた API の暗黙のパラメーターであるため、宣言できません
api-name-missing = "{ $name }" に <name> がありません。一意の名前を使用します
api-plugin-type-unresolved = カスタム API "{ $name }" はプラグイン型 { $reference } を参照していますが、インポート済みのどのアセンブリにもこの型がありません。この型がインポートされるまで、メイン操作なしで実行されます

## ステップ
step-stage-invalid = ステージ { $stage } は登録済みステップには使用できません。10、20、または 40 を使用してください
step-async-not-post-operation = 非同期ステップは操作後 (ステージ 40) にのみ実行でき、ステージ { $stage } では実行できません
step-no-message = ステップにメッセージ (SdkMessageId または SdkMessageName) が指定されていません
step-no-plugin-type = ステップにプラグイン型 (PluginTypeName、PluginTypeId、または PluginTypeExportKey) が指定されていません
step-name-invalid = ステップには 1 ～ 256 文字の名前が必要です (このステップは { $length } 文字です)
step-unknown-message = メッセージ "{ $message }" は存在しません。カスタム API (一意の名前またはその sdkmessageid) か、組み込みメッセージ (Create、Update、Delete、Retrieve、RetrieveMultiple など) を指定してください
step-unknown-plugin-type = プラグイン型 "{ $reference }" は存在しません。この ID、名前、またはエクスポート キーを持つ保存済みのプラグイン型はありません (先にこの型を提供するアセンブリをインポートしてください)
step-plugin-type-in-package = ステップ "{ $step }" はプラグイン パッケージのプラグイン型 { $reference } を実行します。パッケージの型は .nupkg 内にあり、ここでは実行されません
step-custom-api-no-steps = 指定されたメッセージにはカスタム SdkMessageProcessingStep を登録できません。カスタム API "{ $api }" はカスタム処理ステップを許可していません (AllowedCustomProcessingStepType = 0、なし)。
step-custom-api-async-only = 指定されたメッセージにはカスタム SdkMessageProcessingStep を登録できません。カスタム API "{ $api }" は操作後の非同期ステップのみを許可しています (AllowedCustomProcessingStepType = 1、非同期のみ)。このステップはステージ { $stage } の同期ステップです。
step-not-found = ID { $id } の処理ステップはありません
step-exists = ID { $id } の処理ステップは既に存在します
step-managed = ステップ "{ $name }" はマネージド ソリューション "{ $solution }" に属しているため削除できません。代わりにそのソリューションをアップグレードまたはアンインストールしてください
step-admin-required = 処理ステップを登録、変更、または削除できるのはシステム管理者のみです。ユーザー { $user } はシステム管理者ではありません。
cli-step-added = ステップ "{ $name }" を登録しました ({ $id })
cli-step-enabled = ステップ { $id } を有効にしました
cli-step-disabled = ステップ { $id } を無効にしました
cli-step-deleted = ステップ { $id } を削除しました
cli-step-list-empty = 処理ステップはまだ登録されていません。`switchboard step add` で追加してください
step-image-message = イメージ "{ $alias }" は { $message } メッセージの { $kind } を要求していますが、このメッセージにはありません。Create はポスト イメージのみ、Update はプレ イメージとポスト イメージ、Delete はプレ イメージのみを提供し、その他のメッセージはイメージを提供しません
step-image-stage = イメージ "{ $alias }" はポスト イメージであり、操作後 (ステージ 40) のステップでのみ使用できます。このステップはステージ { $stage } で実行されます
step-image-alias = ステップ イメージ "{ $name }" にエンティティ エイリアスがありません。プラグインはエイリアスでイメージを読み取ります
step-image-not-found = ID { $id } のステップ イメージはありません
cli-step-image-added = イメージ "{ $alias }" をステップ { $step } に登録しました ({ $id })
cli-step-image-deleted = ステップ イメージ { $id } を削除しました

## インポート
import-immutable-changed = { $component } "{ $name }": { $column } は作成後に変更できません (保存済み: { $stored }、パッケージ: { $incoming })。代わりに削除して再作成してください
import-managed-over-unmanaged = ソリューション "{ $solution }" はアンマネージドとしてインストールされています。同じソリューションのマネージド パッケージで上書きインポートすることはできません。先にアンマネージド ソリューションを削除してください。
import-unmanaged-over-managed = ソリューション "{ $solution }" はマネージドとしてインストールされています。同じソリューションのアンマネージド パッケージで上書きインポートすることはできません。先にマネージド ソリューションをアンインストールしてください。
import-older-version = ソリューション "{ $solution }" のバージョン { $incoming } は、インストール済みの { $stored } より古いバージョンです。マネージド ソリューションはダウングレードできません
import-same-version = ソリューション "{ $solution }" のバージョン { $version } は既にインストールされています。コンポーネントはその場で更新されます
import-api-owned-elsewhere = カスタム API "{ $name }" はソリューション "{ $owner }" に属しています。ソリューション "{ $solution }" で再定義することはできません
import-database = データベースがインポートを拒否しました: { $detail }
import-table-conflict = テーブル "{ $table }" はそのように変更できません: { $detail }
import-failed = { $path } はインポートされませんでした
import-summary = { $solution } { $version } ({ $managed }): 作成 { $created } 件、更新 { $updated } 件、警告 { $warnings } 件
import-created = { $component } を作成しました
import-updated = { $component } を更新しました
import-deleted = { $component } を削除しました (マネージド ソリューションに含まれなくなったため)
import-removed = カスタム API "{ $name }" はマネージド ソリューション "{ $solution }" に含まれなくなったため、削除されました

## OData Web API
odata-resource-not-found = セグメント '{ $segment }' のリソースが見つかりません。
odata-no-http-resource = 要求 URI '{ $uri }' に一致する HTTP リソースが見つかりませんでした。
odata-unresolved-bound = 要求メッセージに未解決のパラメーターがあります。'{ $name }' はバインドされているため、'{ $qualified }' として呼び出してください。
odata-url-too-long = 要求 URL は { $length } 文字です。使用できるのは最大 { $max } 文字です。大きなパラメーターを渡すには、本文付きでアクションを呼び出してください。
odata-malformed-json = 要求本文が有効な JSON ではありません: { $detail }
odata-body-not-object = 要求本文は、操作のパラメーターをメンバーとする JSON オブジェクトである必要があります。
odata-invalid-value = パラメーター '{ $name }' の値を { $expected } に変換できません: { $detail }
odata-missing-parameter = 操作 '{ $api }' の必須パラメーター '{ $name }' がありません。
odata-unknown-parameter = 要求ペイロード内のパラメーター '{ $name }' は、操作 '{ $api }' の有効なパラメーターではありません。
odata-bad-literal = '{ $literal }' は有効な { $expected } リテラルではありません。
odata-unknown-alias = パラメーター エイリアス '{ $alias }' がクエリ文字列で指定されていません。
odata-bad-key = '{ $key }' は有効なキーではありません。GUID を指定してください。
odata-binding-parameter = '{ $name }' は '{ $api }' のバインド先レコードです。パラメーターではなく URL から取得されます。
odata-duplicate-parameter = パラメーター '{ $name }' が複数回指定されています。
odata-method-not-allowed = HTTP メソッド { $method } は '{ $uri }' ではサポートされていません。
odata-payload-too-large = 要求本文が { $max } バイトを超えています。
odata-unsupported-media-type = 要求本文は '{ $type }' ではなく application/json である必要があります。
odata-bad-query-option = クエリ オプション { $option } はここでは無効です: { $detail }
odata-syntax = '{ $text }' に構文エラーがあります: { $detail }
auth-no-token = この要求にはアクセス トークンが必要です。Authorization: Bearer <token> を送信してください (トークンは switchboard token create --user NAME で作成できます)。
auth-bad-token = アクセス トークンが無効です。不明、取り消し済み、期限切れのいずれかであるか、ユーザーが無効になっています。
auth-missing-privilege = プリンシパル ユーザー (Id={ $user }, type=8, roleCount={ $roles }, privilegeCount={ $privileges }) に、エンティティ '{ $api }' の OTC=0 に対する { $privilege } 特権 (Id={ $privilegeid }) がありません。
auth-impersonation-refused = ユーザー { $user } は他のユーザーの代理として操作できません。prvActOnBehalfOfAnotherUser 特権がありません。
auth-admin-required = { $table } レコードを作成できるのはシステム管理者のみです。ユーザー { $user } はシステム管理者ではありません。
auth-admin-required-change = { $table } レコードを変更できるのはシステム管理者のみです。ユーザー { $user } はシステム管理者ではありません。
organization-trace-setting-invalid = plugintracelogsetting は 0 (Off)、1 (Exception)、2 (All) のいずれかです。{ $value } は指定できません。
cli-organization-show = 組織 { $name }: plugintracelogsetting { $code } ({ $label })
auth-rate-limited = 要求数が、{ $window } 秒の時間枠における上限 { $limit } を超えました。
auth-unknown-user = MSCRMCallerID で指定された ID { $id } を持つ有効なユーザーが存在しません。
cli-user-added = ユーザー { $name } ({ $id }) を作成しました
cli-role-added = ロール { $name } ({ $id }) を作成しました
cli-security-done = 完了しました
cli-security-failed = { $detail }
labels-not-localizable = { $table } の { $attribute } はローカライズ可能な属性ではありません。
labels-bad-moniker = EntityMoniker { $value } はレコードを指していません (@odata.type と ID、または @odata.id を指定してください)。
labels-unknown-language = 言語コード { $code } はこの組織で提供されている言語ではありません。
odata-duplicate-record = 一致するキー値を持つレコードが既に存在します ({ $name })。
odata-record-not-found = Id = { $id } の { $table } は存在しません
odata-unknown-property = 型 '{ $type }' に '{ $name }' という名前のプロパティが見つかりませんでした。
odata-headers-too-large = 要求ヘッダーは { $size } バイトです。使用できるのは最大 { $max } バイトです。
odata-request-timeout = 要求が { $seconds } 秒以内に完了しませんでした。
odata-internal = 予期しないエラーが発生しました (相関 ID { $id })。
background-not-found = ID { $id } のバックグラウンド操作は存在しません。
background-terminal = 終了状態になったバックグラウンド操作は取り消せません。
background-bad-callback = コールバック URL { $url } は http または https の絶対 URL ではありません。
background-bad-prefer = Prefer ヘッダーは respond-async なしでコールバック ({ $preference }) を要求しています。
background-canceled = バックグラウンド操作 { $id } は取り消されました。
background-only-cancel = バックグラウンド操作は取り消しのみ可能です: backgroundoperationstatecode 2 と backgroundoperationstatuscode 22 を送信してください。

## プラグイン
plugin-business = { $message }
pipeline-infinite-loop = このワークフロー ジョブは、開始したワークフローに無限ループが含まれていたため取り消されました: { $message } を実行すると最大深度 { $depth } を超えます。
plugin-timeout = プラグイン { $type } が制限時間 { $ms } ms 以内に完了しなかったため、停止されました。
plugin-memory-cap = プラグイン { $type } がメモリ上限 { $mib } MiB を超えて使用しようとしたため、停止されました。
plugin-panicked = プラグイン { $type } でパニックが発生しました: { $message }
plugin-trapped = プラグイン { $type } が失敗しました: { $detail }
plugin-internal = プラグイン { $type } が内部エラーを報告しました: { $detail }
plugin-bad-value = プラグイン { $type } が読み取れない値を送信しました: { $detail }
plugin-load-failed = プラグイン アセンブリ { $assembly } を読み込めません: { $detail }
plugin-type-missing = プラグイン アセンブリ { $assembly } はプラグイン型 { $type } をエクスポートしていません。
plugin-unknown-output = プラグイン { $type } が出力 '{ $name }' を設定しましたが、'{ $api }' ではこの出力は宣言されていません。
plugin-wrong-output-type = プラグイン { $type } が出力 '{ $name }' に { $found } 型の値を設定しましたが、'{ $api }' では { $expected } として宣言されています。
plugin-not-runnable = カスタム API '{ $api }' が参照するプラグイン型 { $reference } はここでは実行できません ({ $reason })。既定値を返します。
plugin-build-failed = { $path } のプラグインのビルドに失敗しました: { $detail }
plugin-built = { $path } をビルドしました
plugin-scaffolded = プラグイン クレート { $path } を作成しました。次のコマンドでビルドしてください: switchboard plugin build { $path }

## コマンド ライン
cli-database-open = データベース { $url } を開けません: { $detail }
cli-database-missing = { $path } にデータベースがありません: 先にソリューションをインポートする (`switchboard import`) か、空のデータベースで始めるには `serve --create` を指定してください
cli-error = エラー
cli-warning = 警告
cli-list-empty = カスタム API はまだ保存されていません。`switchboard import PATH` でソリューションをインポートしてください
cli-serving = Switchboard は { $url } で待ち受けています
cli-demo-ready = デモ データベース { $path } には、{ $solutions } 個のソリューションから { $apis } 個のカスタム API が含まれています
cli-demo-no-solutions = { $path } にソリューション フォルダーまたは zip が見つかりません
cli-bind-failed = { $addr } で待ち受けできません: { $detail }
cli-demo-token = 管理者トークン: { $token }
cli-demo-try = 次を試してください: { $command }
cli-import-nothing-written = 何もインポートされませんでした。データベースは変更されていません
cli-demo-certificate = 127.0.0.1 と localhost 用の自己署名開発証明書で HTTPS を提供しています: { $path }
cli-demo-trust = クライアントはこの証明書を信頼する必要があります: curl --cacert { $path }、Python では REQUESTS_CA_BUNDLE={ $path }、Node.js では NODE_EXTRA_CA_CERTS={ $path }

## HTTPS
tls-unreadable = { $path } を読み取れません: { $detail }
tls-no-certificate = { $path } に PEM 証明書がありません
tls-no-private-key = { $path } に PEM 秘密キーがありません
tls-rejected = { $path } は HTTPS に使用できません: { $detail }
tls-dev-certificate-failed = { $path } に開発証明書を作成できません: { $detail }

## Logic Apps と Power Automate のコネクタ
connector-unknown-solution = "{ $name }" という名前のソリューションはインストールされていません。
connector-respond-async-unknown = respond-async に指定された "{ $name }" は、ソリューション { $solution } のパブリック アクションではありません。
connector-bad-base-url = "{ $url }" はベース URL ではありません: http:// または https:// とホスト名 (ポートは省略可) を指定してください (例: https://switchboard.example.com)。
connector-too-large = コネクタ定義の長さは { $bytes } バイトです。Power Platform がインポートできるのは { $max } バイト未満の定義です。エクスポートするカスタム API を減らしてください。
connector-written = { $path } を書き込みました
connector-info-description = ソリューション { $solution } のカスタム API を Switchboard サーバー経由で呼び出します。
connector-operation-description = カスタム API { $name } を呼び出します。
connector-body-summary = パラメーター
connector-body-description = { $name } の要求パラメーター。
connector-record-id-summary = { $table } ID
connector-record-id-description = { $name } を実行する { $table } 行の ID (GUID)。
connector-prefer-summary = 非同期で応答
connector-prefer-description = 呼び出しをバックグラウンドで実行するようサーバーに求めます。サーバーは 202 Accepted と、結果をポーリングする Location を返します。
connector-response-ok = { $name } の応答プロパティ。
connector-response-no-content = { $name } は実行されました。戻り値はありません。
connector-response-accepted = 受け付けました: 呼び出しはバックグラウンドで実行されます。結果は Location ヘッダーの URL をポーリングして取得します。
connector-response-location = 結果をポーリングする URL。
connector-response-error = 呼び出しが失敗しました: Dataverse のエラー コードとメッセージ。
connector-error-code = エラー コード
connector-error-message = エラー メッセージ
connector-literal-string = OData リテラルで指定します: 単一引用符で囲んだテキスト ('Contoso' など)。内部の引用符は二重にします ('O''Neil')。
connector-literal-boolean = OData リテラルで指定します: true または false。
connector-literal-number = OData リテラルで指定します: 12.5 などの数値。
connector-literal-whole-number = OData リテラルで指定します: 42 などの整数。
connector-literal-date-time = OData リテラルで指定します: 引用符なしの日時 (2024-05-31T08:00:00Z など)。
connector-literal-guid = OData リテラルで指定します: 引用符なしの GUID ({ $example } など)。
connector-literal-json = OData リテラルで指定します: JSON ({ $example } など)。
connector-token-name = アクセス トークン
connector-token-description = Switchboard のアクセス トークン。"Bearer " に続けてトークンを書きます (switchboard token create --user NAME で作成できます)。
connector-token-tooltip = Bearer に続けてアクセス トークン
connector-sign-in = Switchboard のトークンを発行する ID プロバイダーでサインイン
