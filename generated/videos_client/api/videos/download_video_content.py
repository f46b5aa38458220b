from http import HTTPStatus
from io import BytesIO
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ..._exceptions import malformed_response
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.video_content_variant import VideoContentVariant
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    video_id: str,
    *,
    variant: VideoContentVariant | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_variant: str | Unset = UNSET
    if not isinstance(variant, Unset):
        json_variant = variant.value

    params["variant"] = json_variant

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/videos/{video_id}/content".format(
            video_id=quote(str(video_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorResponse | File | None:
    if response.status_code == 200:
        response_200 = File(payload=BytesIO(response.content))

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorResponse.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ErrorResponse.from_dict(response.json())

        return response_503

    if 200 <= response.status_code < 300:
        # A success status the contract does not list (a newer server's 201 or 202, say) is read
        # as the documented one, as the openai SDK reads any 2xx.
        response_200 = File(payload=BytesIO(response.content))

        return response_200

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | File]:
    try:
        parsed = _parse_response(client=client, response=response)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise malformed_response(response, exc) from exc
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=parsed,
    )


def sync_detailed(
    video_id: str,
    *,
    client: AuthenticatedClient | Client,
    variant: VideoContentVariant | Unset = UNSET,
) -> Response[ErrorResponse | File]:
    """Download a completed video's MP4, thumbnail or spritesheet.

     `variant=video` (the default) returns the MP4, `thumbnail` a WebP image and `spritesheet`
    a JPEG image. A job that is not `completed` answers 400 with code `video_not_completed`.

    Args:
        video_id (str):
        variant (VideoContentVariant | Unset): Which downloadable asset to return: `video` (MP4),
            `thumbnail` (WebP) or `spritesheet`
            (JPEG).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | File]
    """

    kwargs = _get_kwargs(
        video_id=video_id,
        variant=variant,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    video_id: str,
    *,
    client: AuthenticatedClient | Client,
    variant: VideoContentVariant | Unset = UNSET,
) -> ErrorResponse | File | None:
    """Download a completed video's MP4, thumbnail or spritesheet.

     `variant=video` (the default) returns the MP4, `thumbnail` a WebP image and `spritesheet`
    a JPEG image. A job that is not `completed` answers 400 with code `video_not_completed`.

    Args:
        video_id (str):
        variant (VideoContentVariant | Unset): Which downloadable asset to return: `video` (MP4),
            `thumbnail` (WebP) or `spritesheet`
            (JPEG).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | File
    """

    return sync_detailed(
        video_id=video_id,
        client=client,
        variant=variant,
    ).parsed


async def asyncio_detailed(
    video_id: str,
    *,
    client: AuthenticatedClient | Client,
    variant: VideoContentVariant | Unset = UNSET,
) -> Response[ErrorResponse | File]:
    """Download a completed video's MP4, thumbnail or spritesheet.

     `variant=video` (the default) returns the MP4, `thumbnail` a WebP image and `spritesheet`
    a JPEG image. A job that is not `completed` answers 400 with code `video_not_completed`.

    Args:
        video_id (str):
        variant (VideoContentVariant | Unset): Which downloadable asset to return: `video` (MP4),
            `thumbnail` (WebP) or `spritesheet`
            (JPEG).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | File]
    """

    kwargs = _get_kwargs(
        video_id=video_id,
        variant=variant,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    video_id: str,
    *,
    client: AuthenticatedClient | Client,
    variant: VideoContentVariant | Unset = UNSET,
) -> ErrorResponse | File | None:
    """Download a completed video's MP4, thumbnail or spritesheet.

     `variant=video` (the default) returns the MP4, `thumbnail` a WebP image and `spritesheet`
    a JPEG image. A job that is not `completed` answers 400 with code `video_not_completed`.

    Args:
        video_id (str):
        variant (VideoContentVariant | Unset): Which downloadable asset to return: `video` (MP4),
            `thumbnail` (WebP) or `spritesheet`
            (JPEG).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | File
    """

    return (
        await asyncio_detailed(
            video_id=video_id,
            client=client,
            variant=variant,
        )
    ).parsed
