# attt Windows collector, document schema attt.windows-collector/1 (docs/windows-collector.md).
#
# Windows PowerShell 5.1 or later, no module to install.  Read-only: it changes no setting;
# the only files it writes are the secedit and auditpol exports in $env:TEMP (deleted at once)
# and, when asked, the document itself (-OutFile).  It prints ONE JSON document: an envelope
# (host, time, elevation) whose "body" holds the sections as JSON text and whose "sha256" is
# the SHA-256 of body's UTF-8 bytes.  Each section is gathered in its own try/catch and says
# ok, denied, timeout, error or not_applicable with a language-neutral reason.
#
#   powershell.exe -NoProfile -ExecutionPolicy Bypass -File collector.ps1
#   powershell.exe -NoProfile -ExecutionPolicy Bypass -File collector.ps1 -OutFile \\srv\attt\%COMPUTERNAME%.json
#
# -OutFile expands %VARIABLES%; an existing folder gets <COMPUTERNAME>.json inside it.
# Printed by `attt collector windows`; keep this file ASCII (5.1 reads a BOM-less script in
# the ANSI code page).
param(
    [string]$OutFile = '',
    [ValidateRange(1, 3600)]
    [int]$UpdateSearchSeconds = 120
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$script:Sections = [ordered]@{}
$script:UpdateBudgetSeconds = $UpdateSearchSeconds

# --------------------------------------------------------------------------- helpers

function Get-AtttTempPath {
    param([string]$Extension)
    $name = 'attt-' + [guid]::NewGuid().ToString('N') + $Extension
    return [System.IO.Path]::Combine($env:TEMP, $name)
}

function Get-AtttInnerException {
    param($Exception)
    $ex = $Exception
    for ($i = 0; $i -lt 8; $i++) {
        if ($ex -is [System.Management.Automation.ActionPreferenceStopException] -and $null -ne $ex.ErrorRecord) {
            $ex = $ex.ErrorRecord.Exception
        } elseif (($ex -is [System.Management.Automation.MethodInvocationException] -or $ex -is [System.Reflection.TargetInvocationException]) -and $null -ne $ex.InnerException) {
            $ex = $ex.InnerException
        } else {
            break
        }
    }
    return $ex
}

function Test-AtttDenied {
    param($Exception)
    if ($Exception -is [System.UnauthorizedAccessException]) { return $true }
    if ($Exception -is [System.Security.SecurityException]) { return $true }
    if ($Exception.HResult -eq -2147024891) { return $true }
    if ($Exception.GetType().Name -eq 'CimException' -and [string]$Exception.NativeErrorCode -eq 'AccessDenied') { return $true }
    return $false
}

# The exception's type name and HResult (or CIM error code): never its localised message.
function Get-AtttReason {
    param($Exception)
    if ($Exception -is [System.Management.Automation.CommandNotFoundException]) { return 'cmdlet not found' }
    $typeName = $Exception.GetType().Name
    if ($typeName -eq 'CimException') { return ('CimException ' + [string]$Exception.NativeErrorCode) }
    return ('{0} 0x{1:X8}' -f $typeName, $Exception.HResult)
}

function Test-AtttNotFound {
    param($ErrorRecord)
    return ([string]$ErrorRecord.CategoryInfo.Category -eq 'ObjectNotFound')
}

# Runs one section: $Body receives a hashtable and sets data (or status and reason).
function Get-AtttSection {
    param([string]$Name, [scriptblock]$Body)
    $out = @{ status = 'ok'; reason = ''; data = $null }
    try {
        $null = & $Body $out
    } catch {
        $ex = Get-AtttInnerException $_.Exception
        if (Test-AtttDenied $ex) { $out.status = 'denied' } else { $out.status = 'error' }
        $out.reason = Get-AtttReason $ex
    }
    $entry = [ordered]@{ status = $out.status; reason = $out.reason }
    if ($out.status -eq 'ok') { $entry['data'] = $out.data }
    $script:Sections[$Name] = $entry
}

function Get-AtttBaseKey {
    param([string]$Hive)
    if ($Hive -eq 'HKCU') {
        return [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::CurrentUser, [Microsoft.Win32.RegistryView]::Default)
    }
    # The 64-bit view even from a 32-bit PowerShell (the 32-bit view on a 32-bit Windows).
    return [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, [Microsoft.Win32.RegistryView]::Registry64)
}

# A registry value, or $null when the key or the value is absent (keys opened read-only).
function Get-AtttRegValue {
    param([string]$Hive, [string]$SubKey, [string]$Name)
    $key = (Get-AtttBaseKey $Hive).OpenSubKey($SubKey)
    if ($null -eq $key) { return $null }
    try {
        return $key.GetValue($Name)
    } finally {
        $key.Close()
    }
}

# An integer (a DWORD read back as a negative Int32 is made unsigned), or $null.
function ConvertTo-AtttInt {
    param($Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [int]) {
        if ($Value -lt 0) { return ([long]$Value + 4294967296) }
        return [long]$Value
    }
    if ($Value -is [long] -or $Value -is [uint32] -or $Value -is [uint16] -or $Value -is [byte]) { return [long]$Value }
    $number = [long]0
    if ([long]::TryParse(([string]$Value).Trim(), [ref]$number)) { return $number }
    return $null
}

function ConvertTo-AtttText {
    param($Value)
    if ($null -eq $Value) { return $null }
    return [string]$Value
}

function ConvertTo-AtttIsoDate {
    param($Value)
    if ($Value -is [datetime]) { return $Value.ToString('o') }
    return $null
}

# Win32_QuickFixEngineering.InstalledOn is text such as 11/30/2026 (invariant month/day/year).
function ConvertFrom-AtttHotfixDate {
    param($Value)
    if ($Value -is [datetime]) { return $Value }
    $text = [string]$Value
    if ([string]::IsNullOrEmpty($text)) { return $null }
    $when = [datetime]::MinValue
    $formats = [string[]]@('M/d/yyyy', 'MM/dd/yyyy', 'yyyyMMdd', 'M/d/yyyy h:mm:ss tt')
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    if ([datetime]::TryParseExact($text.Trim(), $formats, $invariant, [System.Globalization.DateTimeStyles]::None, [ref]$when)) {
        return $when
    }
    return $null
}

function Get-AtttIPv6Scope {
    param([string]$Text)
    $ip = [System.Net.IPAddress]::Parse($Text)
    if ([System.Net.IPAddress]::IsLoopback($ip)) { return 'loopback' }
    if ($ip.IsIPv6LinkLocal) { return 'link' }
    if ($ip.IsIPv6SiteLocal) { return 'site' }
    return 'global'
}

# [System Access] of a secedit export: the integer values of the keys the contract names.
function ConvertFrom-AtttSecedit {
    param([string[]]$Lines)
    $wanted = @('MinimumPasswordLength', 'PasswordComplexity', 'PasswordHistorySize', 'MaximumPasswordAge', 'MinimumPasswordAge', 'LockoutBadCount', 'LockoutDuration', 'ResetLockoutCount', 'EnableGuestAccount')
    $result = [ordered]@{}
    $inSection = $false
    foreach ($line in $Lines) {
        $text = $line.Trim()
        if ($text.StartsWith('[')) {
            $inSection = ($text -eq '[System Access]')
            continue
        }
        if (-not $inSection) { continue }
        $at = $text.IndexOf('=')
        if ($at -lt 1) { continue }
        $key = $text.Substring(0, $at).Trim()
        if ($wanted -notcontains $key) { continue }
        $number = ConvertTo-AtttInt $text.Substring($at + 1)
        if ($null -ne $number) { $result[$key] = $number }
    }
    return $result
}

# The WUA search in its own runspace, waited for at most $Seconds: a search can take minutes.
$script:WuaSearch = {
    $session = New-Object -ComObject 'Microsoft.Update.Session'
    $searcher = $session.CreateUpdateSearcher()
    $found = $searcher.Search("IsInstalled=0 and Type='Software'")
    [int]$found.Updates.Count
}

function Get-AtttPendingUpdates {
    param([int]$Seconds)
    $result = @{ pending = $null; reason = '' }
    $ps = [System.Management.Automation.PowerShell]::Create()
    $handle = $null
    try {
        $null = $ps.AddScript([string]$script:WuaSearch)
        $handle = $ps.BeginInvoke()
        if (-not $handle.AsyncWaitHandle.WaitOne($Seconds * 1000)) {
            $result.reason = 'timeout'
            $null = $ps.BeginStop($null, $null)
            $ps = $null
            return $result
        }
        $output = $ps.EndInvoke($handle)
        if ($ps.Streams.Error.Count -gt 0) {
            $result.reason = Get-AtttReason (Get-AtttInnerException $ps.Streams.Error[0].Exception)
        } elseif ($output.Count -lt 1) {
            $result.reason = 'no result'
        } else {
            $result.pending = [int]$output[0]
        }
    } catch {
        $result.reason = Get-AtttReason (Get-AtttInnerException $_.Exception)
    } finally {
        if ($null -ne $ps) { $ps.Dispose() }
    }
    return $result
}

# Members of the Administrators group (S-1-5-32-544) through ADSI, for when
# Get-LocalGroupMember fails (orphaned SIDs, Azure AD members).
function Get-AtttAdministratorsByAdsi {
    $groupSid = [System.Security.Principal.SecurityIdentifier]::new('S-1-5-32-544')
    $groupName = $groupSid.Translate([System.Security.Principal.NTAccount]).Value.Split('\')[-1]
    $group = [ADSI]('WinNT://' + $env:COMPUTERNAME + '/' + $groupName + ',group')
    foreach ($member in @($group.psbase.Invoke('Members'))) {
        $type = $member.GetType()
        $path = [string]$type.InvokeMember('ADsPath', 'GetProperty', $null, $member, $null)
        $bytes = [byte[]]$type.InvokeMember('objectSid', 'GetProperty', $null, $member, $null)
        $sid = [System.Security.Principal.SecurityIdentifier]::new($bytes, 0)
        [ordered]@{ name = ($path -replace '^WinNT://', '').Replace('/', '\'); sid = $sid.Value }
    }
}

# --------------------------------------------------------------------------- host

$identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
$principal = [System.Security.Principal.WindowsPrincipal]::new($identity)
$script:Elevated = [bool]$principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)

$script:HostInfo = [ordered]@{
    name = [string]$env:COMPUTERNAME
    domain = ''
    os_build = ''
    product_type = 1
    ui_language = ''
}
try {
    $computer = Get-CimInstance -ClassName 'Win32_ComputerSystem'
    if ($computer.PartOfDomain) { $script:HostInfo.domain = [string]$computer.Domain }
} catch {
    $script:HostInfo.domain = ''
}
try {
    $os = Get-CimInstance -ClassName 'Win32_OperatingSystem'
    $script:HostInfo.os_build = [string]$os.Version
    $script:HostInfo.product_type = [int]$os.ProductType
} catch {
    $script:HostInfo.os_build = [System.Environment]::OSVersion.Version.ToString(3)
    $kind = [string](Get-AtttRegValue 'HKLM' 'SYSTEM\CurrentControlSet\Control\ProductOptions' 'ProductType')
    if ($kind -eq 'LanmanNT') {
        $script:HostInfo.product_type = 2
    } elseif ($kind -eq 'ServerNT') {
        $script:HostInfo.product_type = 3
    }
}
try {
    $script:HostInfo.ui_language = [string](Get-UICulture).Name
} catch {
    $script:HostInfo.ui_language = ''
}

# --------------------------------------------------------------------------- sections

Get-AtttSection -Name 'av_products' -Body {
    param($Out)
    # root/SecurityCenter2 exists on clients only.
    if ($script:HostInfo.product_type -ne 1) {
        $Out.status = 'not_applicable'
        $Out.reason = 'server'
        return
    }
    $Out.data = @(Get-CimInstance -Namespace 'root/SecurityCenter2' -ClassName 'AntiVirusProduct' | ForEach-Object {
        [ordered]@{ name = [string]$_.displayName; product_state = [long]$_.productState; path = (ConvertTo-AtttText $_.pathToSignedProductExe) }
    })
}

Get-AtttSection -Name 'defender' -Body {
    param($Out)
    $status = Get-MpComputerStatus
    $Out.data = [ordered]@{
        am_service_enabled = [bool]$status.AMServiceEnabled
        antivirus_enabled = [bool]$status.AntivirusEnabled
        real_time_protection_enabled = [bool]$status.RealTimeProtectionEnabled
        signature_age_days = (ConvertTo-AtttInt $status.AntivirusSignatureAge)
        signature_last_updated = (ConvertTo-AtttIsoDate $status.AntivirusSignatureLastUpdated)
        running_mode = (ConvertTo-AtttText $status.AMRunningMode)
        signatures_out_of_date = [bool]$status.DefenderSignaturesOutOfDate
    }
}

Get-AtttSection -Name 'services' -Body {
    param($Out)
    $Out.data = @(Get-CimInstance -ClassName 'Win32_Service' | Sort-Object -Property 'Name' | ForEach-Object {
        [ordered]@{ name = [string]$_.Name; state = [string]$_.State; start_mode = [string]$_.StartMode }
    })
}

Get-AtttSection -Name 'processes' -Body {
    param($Out)
    $Out.data = @(Get-Process | ForEach-Object { [string]$_.ProcessName } | Sort-Object -Unique)
}

Get-AtttSection -Name 'uninstall' -Body {
    param($Out)
    # The Uninstall keys, never Win32_Product (it checks and repairs every MSI package).
    $base = Get-AtttBaseKey 'HKLM'
    $items = New-Object -TypeName 'System.Collections.ArrayList'
    $roots = @('SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall', 'SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall')
    foreach ($rootPath in $roots) {
        $root = $base.OpenSubKey($rootPath)
        if ($null -eq $root) { continue }
        try {
            foreach ($subName in $root.GetSubKeyNames()) {
                $sub = $null
                try {
                    $sub = $root.OpenSubKey($subName)
                } catch {
                    $sub = $null
                }
                if ($null -eq $sub) { continue }
                try {
                    $displayName = [string]$sub.GetValue('DisplayName')
                    if ($displayName.Length -gt 0) {
                        $null = $items.Add([ordered]@{
                            name = $displayName
                            version = (ConvertTo-AtttText $sub.GetValue('DisplayVersion'))
                            publisher = (ConvertTo-AtttText $sub.GetValue('Publisher'))
                        })
                    }
                } finally {
                    $sub.Close()
                }
            }
        } finally {
            $root.Close()
        }
    }
    $Out.data = @($items | Sort-Object -Property { $_['name'] })
}

Get-AtttSection -Name 'firewall' -Body {
    param($Out)
    # ActiveStore: the settings in force, group policy included.
    $Out.data = @(Get-NetFirewallProfile -PolicyStore 'ActiveStore' | ForEach-Object {
        [ordered]@{ name = [string]$_.Name; enabled = ([string]$_.Enabled -eq 'True'); default_inbound = [string]$_.DefaultInboundAction }
    })
}

Get-AtttSection -Name 'ipv6' -Body {
    param($Out)
    $bindings = @()
    try {
        $bindings = @(Get-NetAdapterBinding -ComponentID 'ms_tcpip6' | ForEach-Object {
            [ordered]@{ adapter = [string]$_.Name; enabled = [bool]$_.Enabled }
        })
    } catch {
        if (-not (Test-AtttNotFound $_)) { throw }
    }
    $addresses = @()
    try {
        $addresses = @(Get-NetIPAddress -AddressFamily 'IPv6' | ForEach-Object {
            $text = ([string]$_.IPAddress).Split('%')[0]
            [ordered]@{ address = $text; prefix_origin = [string]$_.PrefixOrigin; scope = (Get-AtttIPv6Scope $text) }
        })
    } catch {
        if (-not (Test-AtttNotFound $_)) { throw }
    }
    $disabled = Get-AtttRegValue 'HKLM' 'SYSTEM\CurrentControlSet\Services\Tcpip6\Parameters' 'DisabledComponents'
    $Out.data = [ordered]@{
        bindings = $bindings
        disabled_components = (ConvertTo-AtttInt $disabled)
        addresses = $addresses
    }
}

Get-AtttSection -Name 'smb' -Body {
    param($Out)
    $config = Get-SmbServerConfiguration
    $Out.data = [ordered]@{ smb1_enabled = [bool]$config.EnableSMB1Protocol }
}

Get-AtttSection -Name 'rdp' -Body {
    param($Out)
    $server = 'SYSTEM\CurrentControlSet\Control\Terminal Server'
    $rdpTcp = $server + '\WinStations\RDP-Tcp'
    $Out.data = [ordered]@{
        deny_connections = (ConvertTo-AtttInt (Get-AtttRegValue 'HKLM' $server 'fDenyTSConnections'))
        nla = (ConvertTo-AtttInt (Get-AtttRegValue 'HKLM' $rdpTcp 'UserAuthentication'))
        security_layer = (ConvertTo-AtttInt (Get-AtttRegValue 'HKLM' $rdpTcp 'SecurityLayer'))
    }
}

Get-AtttSection -Name 'password_policy' -Body {
    param($Out)
    if (-not $script:Elevated) {
        $Out.status = 'denied'
        $Out.reason = 'not elevated'
        return
    }
    $tmpInf = Get-AtttTempPath '.inf'
    $tmpLog = Get-AtttTempPath '.log'
    try {
        # /mergedpolicy: domain and local policy as in force; /log keeps secedit's log in TEMP.
        $null = & secedit.exe /export /mergedpolicy /areas SECURITYPOLICY /cfg $tmpInf /log $tmpLog /quiet
        if ($LASTEXITCODE -ne 0) {
            $Out.status = 'error'
            $Out.reason = 'secedit exit code ' + $LASTEXITCODE
            return
        }
        $Out.data = ConvertFrom-AtttSecedit ([System.IO.File]::ReadAllLines($tmpInf))
    } finally {
        Remove-Item -LiteralPath $tmpInf -Force -ErrorAction SilentlyContinue
        Remove-Item -LiteralPath $tmpLog -Force -ErrorAction SilentlyContinue
    }
}

Get-AtttSection -Name 'audit_policy' -Body {
    param($Out)
    if (-not $script:Elevated) {
        $Out.status = 'denied'
        $Out.reason = 'not elevated'
        return
    }
    $tmpCsv = Get-AtttTempPath '.csv'
    try {
        $null = & auditpol.exe /backup "/file:$tmpCsv"
        if ($LASTEXITCODE -ne 0) {
            $Out.status = 'error'
            $Out.reason = 'auditpol exit code ' + $LASTEXITCODE
            return
        }
        # Columns by position (names and texts are localised): 3 Subcategory GUID, 6 Setting Value.
        $header = @('machine', 'target', 'subcategory', 'guid', 'inclusion', 'exclusion', 'value')
        $rows = @([System.IO.File]::ReadAllLines($tmpCsv) | ConvertFrom-Csv -Header $header)
        $guidPattern = '^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$'
        $Out.data = @($rows | Where-Object { ([string]$_.guid).Trim() -match $guidPattern } | ForEach-Object {
            $setting = ConvertTo-AtttInt $_.value
            if ($null -ne $setting) {
                [ordered]@{ guid = ([string]$_.guid).Trim().ToUpperInvariant(); setting = $setting }
            }
        })
    } finally {
        Remove-Item -LiteralPath $tmpCsv -Force -ErrorAction SilentlyContinue
    }
}

Get-AtttSection -Name 'updates' -Body {
    param($Out)
    $wsus = ConvertTo-AtttText (Get-AtttRegValue 'HKLM' 'SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate' 'WUServer')
    $search = Get-AtttPendingUpdates $script:UpdateBudgetSeconds
    $last = $null
    foreach ($fix in @(Get-CimInstance -ClassName 'Win32_QuickFixEngineering')) {
        $when = ConvertFrom-AtttHotfixDate $fix.InstalledOn
        if ($null -ne $when -and ($null -eq $last -or $when -gt $last)) { $last = $when }
    }
    $data = [ordered]@{
        wsus_server = $wsus
        pending = $search.pending
        last_installed = (ConvertTo-AtttIsoDate $last)
    }
    # Why pending is null: 'timeout' (over -UpdateSearchSeconds) or the WUA error code.
    if ($null -eq $search.pending) { $data['pending_reason'] = [string]$search.reason }
    $Out.data = $data
}

Get-AtttSection -Name 'usb_storage' -Body {
    param($Out)
    $policy = 'SOFTWARE\Policies\Microsoft\Windows\RemovableStorageDevices'
    $disks = $policy + '\{53f5630d-b6bf-11d0-94f2-00a0c91efb8b}'
    $Out.data = [ordered]@{
        usbstor_start = (ConvertTo-AtttInt (Get-AtttRegValue 'HKLM' 'SYSTEM\CurrentControlSet\Services\USBSTOR' 'Start'))
        deny_all = (ConvertTo-AtttInt (Get-AtttRegValue 'HKLM' $policy 'Deny_All'))
        deny_write = (ConvertTo-AtttInt (Get-AtttRegValue 'HKLM' $disks 'Deny_Write'))
    }
}

Get-AtttSection -Name 'bitlocker' -Body {
    param($Out)
    if (-not $script:Elevated) {
        $Out.status = 'denied'
        $Out.reason = 'not elevated'
        return
    }
    $systemDrive = [string]$env:SystemDrive
    $Out.data = @(Get-CimInstance -Namespace 'root/cimv2/Security/MicrosoftVolumeEncryption' -ClassName 'Win32_EncryptableVolume' | Where-Object { ([string]$_.DriveLetter).Length -gt 0 } | ForEach-Object {
        [ordered]@{ drive = [string]$_.DriveLetter; protection_status = [int]$_.ProtectionStatus; system_drive = ([string]$_.DriveLetter -eq $systemDrive) }
    })
}

Get-AtttSection -Name 'local_accounts' -Body {
    param($Out)
    $users = @(Get-LocalUser | ForEach-Object {
        [ordered]@{ name = [string]$_.Name; sid = [string]$_.SID.Value; enabled = [bool]$_.Enabled }
    })
    $admins = @()
    try {
        $admins = @(Get-LocalGroupMember -SID 'S-1-5-32-544' | ForEach-Object {
            [ordered]@{ name = [string]$_.Name; sid = [string]$_.SID.Value }
        })
    } catch {
        $admins = @(Get-AtttAdministratorsByAdsi)
    }
    $Out.data = [ordered]@{ users = $users; administrators = $admins }
}

Get-AtttSection -Name 'screen_lock' -Body {
    param($Out)
    $machine = 'SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System'
    $userPolicy = 'Software\Policies\Microsoft\Windows\Control Panel\Desktop'
    $user = 'Control Panel\Desktop'
    # A policy value wins over the user's own setting.
    $timeout = ConvertTo-AtttInt (Get-AtttRegValue 'HKCU' $userPolicy 'ScreenSaveTimeOut')
    if ($null -eq $timeout) { $timeout = ConvertTo-AtttInt (Get-AtttRegValue 'HKCU' $user 'ScreenSaveTimeOut') }
    $secure = ConvertTo-AtttInt (Get-AtttRegValue 'HKCU' $userPolicy 'ScreenSaverIsSecure')
    if ($null -eq $secure) { $secure = ConvertTo-AtttInt (Get-AtttRegValue 'HKCU' $user 'ScreenSaverIsSecure') }
    $Out.data = [ordered]@{
        inactivity_timeout_s = (ConvertTo-AtttInt (Get-AtttRegValue 'HKLM' $machine 'InactivityTimeoutSecs'))
        screensaver_timeout_s = $timeout
        screensaver_secure = $secure
    }
}

# --------------------------------------------------------------------------- document

$body = $script:Sections | ConvertTo-Json -Depth 6 -Compress
$sha = [System.Security.Cryptography.SHA256]::Create()
try {
    $digest = $sha.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($body))
} finally {
    $sha.Dispose()
}
$hex = -join ($digest | ForEach-Object { $_.ToString('x2') })

$envelope = [ordered]@{
    schema = 'attt.windows-collector/1'
    collector_version = '1'
    host = $script:HostInfo
    collected_at = (Get-Date).ToString('o')
    elevated = $script:Elevated
    body = $body
    sha256 = $hex
}
$document = $envelope | ConvertTo-Json -Depth 6 -Compress
# ASCII only (\uXXXX escapes): safe through any console code page; body decodes unchanged.
$toEscape = [System.Text.RegularExpressions.MatchEvaluator]{
    param($Match)
    '\u{0:x4}' -f [int][char]$Match.Value
}
$document = [regex]::Replace($document, '[^\x00-\x7F]', $toEscape)

if ($OutFile.Length -gt 0) {
    $path = [System.Environment]::ExpandEnvironmentVariables($OutFile)
    $path = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($path)
    if ([System.IO.Directory]::Exists($path)) {
        $path = [System.IO.Path]::Combine($path, [string]$env:COMPUTERNAME + '.json')
    }
    $utf8NoBom = [System.Text.UTF8Encoding]::new($false)
    [System.IO.File]::WriteAllText($path, $document, $utf8NoBom)
} else {
    Write-Output $document
}
